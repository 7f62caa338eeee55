package dev.googlenet.infer;

import dev.googlenet.data.RgbImage;
import dev.googlenet.data.Tta;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.Taps;
import dev.googlenet.plan.InferencePlan;
import dev.googlenet.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * One vector per image from a GoogLeNet: the pooled features the classifier reads ({@code features}, alias
 * {@code pool5}: 1024 numbers at width 1), or any stage's activation averaged over its map ({@code inception4e}:
 * 832 numbers), optionally averaged over ten crops. The features run on the thread-safe plan; other stages run the
 * model layer by layer (one thread at a time).
 */
public final class Embeddings {
    /** The pooled vector the classifier reads; {@code pool5} as the paper's Table 1 calls that layer. */
    public static final List<String> POOLED = List.of(Taps.FEATURES, "pool5", "avgpool");

    private final LoadedModel model;
    private final String layer;
    private final Tta.Mode crops;

    /**
     * @param layer a stage name ({@code conv1} … {@code inception5b}) or one of {@link #POOLED}
     * @param crops {@link Tta.Mode#CENTER} or {@link Tta.Mode#TEN} (the vectors of the ten crops averaged)
     */
    public Embeddings(LoadedModel model, String layer, Tta.Mode crops) {
        GoogLeNet g = model.googLeNet().orElse(null);
        if (model.plan().isEmpty()) {
            throw new IllegalArgumentException(model.description() + ": embeddings need a GoogLeNet, and this "
                    + "graph is not one");
        }
        if (!POOLED.contains(layer)) {
            if (g == null) {
                throw new IllegalArgumentException("layer '" + layer + "' needs the model definition; only "
                        + POOLED + " run on the plan alone");
            }
            List<String> stages = g.trunk().names().subList(0, g.trunk().names().indexOf("avgpool"));
            if (!stages.contains(layer)) {
                throw new IllegalArgumentException("no layer '" + layer + "' to embed from: use " + POOLED.getFirst()
                        + " (or pool5) or one of " + stages);
            }
        }
        this.model = model;
        this.layer = layer;
        this.crops = crops;
    }

    /** One row [N, D] for these images, in order. */
    public Tensor embed(List<RgbImage> images) {
        List<RgbImage> all = new ArrayList<>();
        for (RgbImage image : images) {
            all.addAll(Tta.crops(image, model.preprocess(), crops));
        }
        Tensor vectors = vectors(ImageClassifier.tensor(all, model.preprocess(), model.inputChannels()));
        int per = crops.crops(), dim = vectors.dim(1);
        if (per == 1) {
            return vectors;
        }
        Tensor out = Tensor.zeros(images.size(), dim);
        float[] v = vectors.data(), o = out.data();
        for (int i = 0; i < images.size(); i++) {
            for (int c = 0; c < per; c++) {
                for (int j = 0; j < dim; j++) {
                    o[i * dim + j] += v[(i * per + c) * dim + j] / per;
                }
            }
        }
        return out;
    }

    /** Batches of vectors [n_i, D], one after another: [Σ n_i, D]. */
    public static Tensor rows(List<Tensor> batches) {
        int dim = batches.getFirst().dim(1), n = 0;
        for (Tensor t : batches) {
            n += t.dim(0);
        }
        float[] all = new float[n * dim];
        int at = 0;
        for (Tensor t : batches) {
            System.arraycopy(t.data(), 0, all, at, t.size());
            at += t.size();
        }
        return Tensor.of(all, n, dim);
    }

    private Tensor vectors(Tensor input) {
        if (POOLED.contains(layer)) {
            InferencePlan plan = model.plan().orElseThrow();
            return plan.features(input);
        }
        GoogLeNet g = model.googLeNet().orElseThrow();
        Taps taps = Taps.of(layer);
        synchronized (g) { // the definition keeps its buffers: one forward at a time
            g.forward(input, taps);
        }
        Tensor map = taps.activation(layer); // [N, C, H, W] → mean over H, W
        int n = map.dim(0), c = map.dim(1), hw = map.dim(2) * map.dim(3);
        Tensor out = Tensor.zeros(n, c);
        float[] m = map.data(), o = out.data();
        for (int i = 0; i < n * c; i++) {
            double s = 0;
            for (int k = 0; k < hw; k++) {
                s += m[i * hw + k];
            }
            o[i] = (float) (s / hw);
        }
        return out;
    }
}
