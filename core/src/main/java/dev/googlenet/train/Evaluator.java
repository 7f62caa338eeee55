package dev.googlenet.train;

import dev.googlenet.data.DataLoader;
import dev.googlenet.kernels.Softmax;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.nn.SoftmaxCrossEntropy;
import dev.googlenet.plan.InferencePlan;
import dev.googlenet.tensor.Tensor;

import java.util.List;
import java.util.function.IntConsumer;

/**
 * Evaluates a model on a loader's examples (inference mode: BatchNorm running statistics, no dropout, no aux
 * heads): loss, top-1, top-5 and the confusion matrix. Reusable by any command that evaluates on labelled data.
 * Optionally also with test-time views ({@link TestView}), the paper's multi-crop testing: each image's views go
 * through the model and their softmax outputs are averaged.
 */
public final class Evaluator {
    private Evaluator() {
    }

    /** The results of one pass: the plain view, and the softmax average over all views (null with one view). */
    public record Views(EvalResult single, EvalResult averaged) {
    }

    public static EvalResult evaluate(GoogLeNet model, DataLoader loader) {
        return evaluate(model, loader, n -> { });
    }

    /** As above; {@code progress} receives the number of examples done after each batch. */
    public static EvalResult evaluate(GoogLeNet model, DataLoader loader, IntConsumer progress) {
        return evaluate(model, loader, List.of(TestView.IDENTITY), new float[0], progress).single();
    }

    /**
     * Results of the plain view and, with more than one view, of each image's softmax probabilities averaged
     * over the views (loss = −log of the averaged probability of the label). The first view must be the
     * identity. {@code blank}: per channel, the normalized value of a black pixel (for shifted views).
     */
    public static Views evaluate(GoogLeNet model, DataLoader loader, List<TestView> views, float[] blank,
                                 IntConsumer progress) {
        if (views.isEmpty() || !views.getFirst().isIdentity()) {
            throw new IllegalArgumentException("the first test view must be the image itself, got " + views);
        }
        List<String> classes = loader.dataset().classes();
        int k = classes.size();
        if (model.config().numClasses() != k) {
            throw new IllegalArgumentException("the model has " + model.config().numClasses() + " classes, "
                    + loader.dataset().describe() + " has " + k);
        }
        boolean several = views.size() > 1;
        InferencePlan plan = InferencePlan.compile(model); // the weights as they are now, run fast
        Tally single = new Tally(k), averaged = several ? new Tally(k) : null;
        int count = 0;
        try (DataLoader.Epoch epoch = loader.epoch(0)) {
            for (DataLoader.Batch b : epoch) {
                Tensor logits = plan.logits(b.images());
                single.add(logits, b.labels());
                if (several) {
                    List<Tensor> all = new java.util.ArrayList<>(List.of(logits));
                    for (TestView v : views.subList(1, views.size())) {
                        all.add(plan.logits(v.apply(b.images(), blank)));
                    }
                    averaged.add(logOfMeanSoftmax(all), b.labels());
                }
                count += b.size();
                progress.accept(count);
            }
        }
        return new Views(single.result(classes), several ? averaged.result(classes) : null);
    }

    /** Per channel, the value a black pixel has after {@code (v − mean) / std}. */
    public static float[] blank(float[] mean, float[] std) {
        float[] b = new float[mean.length];
        for (int c = 0; c < b.length; c++) {
            b[c] = -mean[c] / std[c];
        }
        return b;
    }

    /** Sums of one way of scoring. */
    private static final class Tally {
        final long[][] confusion;
        double lossSum;
        long top1;
        long top5;
        int count;

        Tally(int k) {
            confusion = new long[k][k];
        }

        void add(Tensor logits, int[] labels) {
            lossSum += (double) SoftmaxCrossEntropy.compute(logits, labels).loss() * labels.length;
            top1 += Accuracy.hits(logits, labels, 1);
            top5 += Accuracy.hits(logits, labels, 5);
            int[] pred = Accuracy.argmax(logits);
            for (int i = 0; i < pred.length; i++) {
                confusion[labels[i]][pred[i]]++;
            }
            count += labels.length;
        }

        EvalResult result(List<String> classes) {
            return new EvalResult(count, lossSum / count, (double) top1 / count, (double) top5 / count, confusion,
                    classes);
        }
    }

    /**
     * {@code log(mean over t of softmax(t))} per row: as logits, its softmax is the averaged probabilities, so the
     * loss and accuracy helpers score the average directly. Computed from each view's log-softmax as a
     * log-sum-exp over the views, so a class every view finds very unlikely (probability below float's smallest)
     * keeps a finite logit instead of log 0.
     */
    static Tensor logOfMeanSoftmax(List<Tensor> logits) {
        int n = logits.getFirst().dim(0), k = logits.getFirst().dim(1), views = logits.size();
        Tensor out = Tensor.zeros(n, k);
        float[][] logP = new float[views][k];
        float[] perView = new float[views];
        double logViews = Math.log(views);
        for (int i = 0; i < n; i++) {
            for (int v = 0; v < views; v++) {
                Softmax.logSoftmax(logits.get(v).data(), i * k, logP[v], 0, k, 1);
            }
            for (int j = 0; j < k; j++) {
                for (int v = 0; v < views; v++) {
                    perView[v] = logP[v][j];
                }
                out.data()[i * k + j] = (float) (Softmax.logSumExp(perView, 0, views) - logViews);
            }
        }
        return out;
    }
}
