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
 */
public final class Evaluator {
    private Evaluator() {
    }

    public static EvalResult evaluate(GoogLeNet model, DataLoader loader) {
        return evaluate(model, loader, n -> { });
    }

    /** As above; {@code progress} receives the number of examples done after each batch. */
    public static EvalResult evaluate(GoogLeNet model, DataLoader loader, IntConsumer progress) {
        List<String> classes = loader.dataset().classes();
        int k = classes.size();
        if (model.config().numClasses() != k) {
            throw new IllegalArgumentException("the model has " + model.config().numClasses() + " classes, "
                    + loader.dataset().describe() + " has " + k);
        }
        long[][] confusion = new long[k][k];
        double lossSum = 0;
        long top1 = 0, top5 = 0;
        int count = 0;
        try (DataLoader.Epoch epoch = loader.epoch(0)) {
            for (DataLoader.Batch b : epoch) {
                Tensor logits = model.forward(b.images());
                lossSum += (double) SoftmaxCrossEntropy.compute(logits, b.labels()).loss() * b.size();
                top1 += Accuracy.hits(logits, b.labels(), 1);
                top5 += Accuracy.hits(logits, b.labels(), 5);
                int[] pred = Accuracy.argmax(logits);
                for (int i = 0; i < pred.length; i++) {
                    confusion[b.labels()[i]][pred[i]]++;
                }
                count += b.size();
                progress.accept(count);
            }
        }
        return new EvalResult(count, lossSum / count, (double) top1 / count, (double) top5 / count, confusion,
                classes);
    }
}
