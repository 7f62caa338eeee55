package dev.googlenet.train;

import dev.googlenet.data.DataLoader;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.nn.SoftmaxCrossEntropy;
import dev.googlenet.tensor.Tensor;

import java.util.List;
import java.util.function.IntConsumer;

/**
 * Evaluates a model on a loader's examples (inference mode: BatchNorm running statistics, no dropout, no aux
 * heads): loss, top-1, top-5 and the confusion matrix. Reusable by any command that evaluates on labelled data.
 * Optionally also with test-time mirroring, the paper's testing reduced to two views: each image and its mirror
 * image go through the model and their softmax outputs are averaged.
 */
public final class Evaluator {
    private Evaluator() {
    }

    /** The results of one pass: single view, and mirror-averaged when asked for (else null). */
    public record Views(EvalResult single, EvalResult mirrored) {
    }

    public static EvalResult evaluate(GoogLeNet model, DataLoader loader) {
        return evaluate(model, loader, n -> { });
    }

    /** As above; {@code progress} receives the number of examples done after each batch. */
    public static EvalResult evaluate(GoogLeNet model, DataLoader loader, IntConsumer progress) {
        return evaluate(model, loader, false, progress).single();
    }

    /**
     * Single-view results and, with {@code mirror}, those of each image averaged with its mirror image (softmax
     * probabilities averaged; loss = −log of the averaged probability of the label).
     */
    public static Views evaluate(GoogLeNet model, DataLoader loader, boolean mirror, IntConsumer progress) {
        List<String> classes = loader.dataset().classes();
        int k = classes.size();
        if (model.config().numClasses() != k) {
            throw new IllegalArgumentException("the model has " + model.config().numClasses() + " classes, "
                    + loader.dataset().describe() + " has " + k);
        }
        Tally single = new Tally(k), mirrored = mirror ? new Tally(k) : null;
        int count = 0;
        try (DataLoader.Epoch epoch = loader.epoch(0)) {
            for (DataLoader.Batch b : epoch) {
                Tensor logits = model.forward(b.images());
                single.add(logits, b.labels());
                if (mirror) {
                    Tensor other = model.forward(mirrorImages(b.images()));
                    mirrored.add(logOfMeanSoftmax(logits, other), b.labels());
                }
                count += b.size();
                progress.accept(count);
            }
        }
        return new Views(single.result(classes), mirror ? mirrored.result(classes) : null);
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

    /** The images [N, C, H, W] mirrored left to right (a new tensor). */
    static Tensor mirrorImages(Tensor x) {
        Tensor y = Tensor.zeros(x.shape());
        int w = x.dim(3), rows = x.size() / w;
        float[] s = x.data(), d = y.data();
        for (int r = 0; r < rows; r++) {
            for (int i = 0, o = r * w; i < w; i++) {
                d[o + i] = s[o + w - 1 - i];
            }
        }
        return y;
    }

    /**
     * {@code log((softmax(a) + softmax(b)) / 2)} per row: as logits, its softmax is the averaged probabilities, so the
     * loss and accuracy helpers score the average directly.
     */
    static Tensor logOfMeanSoftmax(Tensor a, Tensor b) {
        int n = a.dim(0), k = a.dim(1);
        Tensor out = Tensor.zeros(n, k);
        double[] ea = new double[k], eb = new double[k];
        for (int i = 0; i < n; i++) {
            double sa = exps(a.data(), i * k, ea), sb = exps(b.data(), i * k, eb);
            for (int j = 0; j < k; j++) {
                out.data()[i * k + j] = (float) Math.log((ea[j] / sa + eb[j] / sb) / 2);
            }
        }
        return out;
    }

    /** {@code e[j] = exp(v[off + j] − max)} over one row; returns their sum. */
    private static double exps(float[] v, int off, double[] e) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int j = 0; j < e.length; j++) {
            max = Math.max(max, v[off + j]);
        }
        for (int j = 0; j < e.length; j++) {
            e[j] = Math.exp(v[off + j] - max);
            sum += e[j];
        }
        return sum;
    }
}
