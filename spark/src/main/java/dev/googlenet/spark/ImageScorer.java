package dev.googlenet.spark;

import dev.googlenet.data.ImageDecoder;
import dev.googlenet.data.Tta;
import dev.googlenet.infer.ImageClassifier;
import dev.googlenet.infer.ImageClassifier.Prediction;
import dev.googlenet.infer.LoadedModel;
import dev.googlenet.nn.Param;
import dev.googlenet.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Scores a batch of encoded images with one model: the top-k classes with their probabilities, and optionally the
 * pooled features (the embedding). An image that cannot be decoded or prepared gets an error instead of a result;
 * the others in its batch are scored as usual.
 */
final class ImageScorer {

    /** One encoded image; {@code source} names it in errors (its path). */
    record Encoded(String source, byte[] bytes) {
    }

    /** An image's result: either the scores (embedding null unless asked for), or an error and nothing else. */
    record Scored(int[] classes, String[] labels, float[] probabilities, double[] embedding, String error) {
        static Scored failed(String error) {
            return new Scored(null, null, null, null, error);
        }
    }

    private final LoadedModel model;
    private final ImageClassifier classifier;
    private final int topK;
    private final boolean embed;

    ImageScorer(LoadedModel model, int topK, boolean embed) {
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be at least 1, not " + topK);
        }
        if (embed && model.googLeNet().isEmpty()) {
            throw new IllegalArgumentException(model.description() + ": embeddings need a GoogLeNet, this graph is "
                    + "not one");
        }
        this.model = model;
        this.classifier = model.classifier(LoadedModel.DEFAULT_BATCH);
        this.topK = topK;
        this.embed = embed;
    }

    /** Scores the images together (one model call for all that could be prepared); the results in their order. */
    List<Scored> score(List<Encoded> images) {
        List<Scored> out = new ArrayList<>(images.size());
        List<Tensor> inputs = new ArrayList<>();
        List<Integer> ok = new ArrayList<>();
        for (Encoded image : images) {
            out.add(null);
            try {
                inputs.add(model.input(List.of(ImageDecoder.decode(image.bytes(), image.source()))));
                ok.add(out.size() - 1);
            } catch (java.io.IOException | RuntimeException e) {
                // an unreadable or unusable image is this row's error, never the job's
                out.set(out.size() - 1, Scored.failed(e.getMessage()));
            }
        }
        if (inputs.isEmpty()) {
            return out;
        }
        Tensor batch = stack(inputs);
        Tensor features = embed ? model.features(batch) : null;
        Tensor logits = embed ? classifierOf(features) : model.logits(batch);
        int classes = logits.dim(1);
        for (int r = 0; r < ok.size(); r++) {
            float[] row = new float[classes];
            System.arraycopy(logits.data(), r * classes, row, 0, classes);
            List<Prediction> top = classifier.top(Tta.softmaxAverage(Tensor.of(row, 1, classes)), topK);
            int[] idx = new int[top.size()];
            String[] labels = new String[top.size()];
            float[] probs = new float[top.size()];
            for (int k = 0; k < top.size(); k++) {
                idx[k] = top.get(k).index();
                labels[k] = top.get(k).label();
                probs[k] = top.get(k).probability();
            }
            out.set(ok.get(r), new Scored(idx, labels, probs, embed ? row(features, r) : null, null));
        }
        return out;
    }

    /** One prepared image per tensor [1, C, S, S], all of one size: [N, C, S, S]. */
    private static Tensor stack(List<Tensor> inputs) {
        int[] shape = inputs.getFirst().shape().clone();
        int per = inputs.getFirst().size();
        shape[0] = inputs.size();
        Tensor batch = Tensor.zeros(shape);
        for (int i = 0; i < inputs.size(); i++) {
            System.arraycopy(inputs.get(i).data(), 0, batch.data(), i * per, per);
        }
        return batch;
    }

    /**
     * The classifier applied to features already computed ({@code fc}: logits = W·f + b; in eval mode dropout is
     * the identity), so that an embedding run does not run the network a second time for its logits.
     */
    private Tensor classifierOf(Tensor features) {
        var params = model.googLeNet().orElseThrow().namedParameters();
        Param w = params.get("fc.weight"), b = params.get("fc.bias");
        int n = features.dim(0), in = features.dim(1), classes = w.value().dim(0);
        float[] f = features.data(), wd = w.value().data(), bd = b.value().data();
        float[] out = new float[n * classes];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < classes; c++) {
                double s = bd[c];
                for (int k = 0; k < in; k++) {
                    s += (double) wd[c * in + k] * f[i * in + k];
                }
                out[i * classes + c] = (float) s;
            }
        }
        return Tensor.of(out, n, classes);
    }

    private static double[] row(Tensor t, int r) {
        int width = t.dim(1);
        double[] out = new double[width];
        for (int k = 0; k < width; k++) {
            out[k] = t.data()[r * width + k];
        }
        return out;
    }
}
