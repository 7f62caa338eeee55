package dev.googlenet.train;

import dev.googlenet.data.DataLoader;
import dev.googlenet.plan.InferencePlan;
import dev.googlenet.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The pooled features of every training example, computed once by a frozen backbone (DL4J's "presave"): when
 * everything up to the features is frozen and the data has no random augmentation, every epoch would compute the
 * same features again, so training the head on this cache gives the same steps at a fraction of the cost.
 * Batches come in the loader's order for each epoch, so a cached run sees what an uncached one would.
 */
public final class FeatureCache {
    private final DataLoader loader;
    private final float[] features; // [examples, dim], by dataset index
    private final int dim;

    private FeatureCache(DataLoader loader, float[] features, int dim) {
        this.loader = loader;
        this.features = features;
        this.dim = dim;
    }

    /**
     * Runs every example of {@code loader}'s dataset through {@code plan} once (eval mode), in dataset order, with
     * the loader's transform (which must not be random: it is applied once).
     */
    public static FeatureCache compute(InferencePlan plan, DataLoader loader) throws java.io.IOException {
        int n = loader.dataset().size(), batch = loader.batchSize();
        int[] order = new int[n];
        java.util.Arrays.setAll(order, i -> i);
        float[] out = null;
        int dim = 0;
        for (int number = 0; number * batch < n; number++) {
            DataLoader.Batch b = loader.load(0, number, order);
            Tensor f = plan.features(b.images());
            if (out == null) {
                dim = f.dim(1);
                out = new float[n * dim];
            }
            System.arraycopy(f.data(), 0, out, number * batch * dim, f.size());
        }
        return new FeatureCache(loader, out, dim);
    }

    /** Feature length per example. */
    public int dim() {
        return dim;
    }

    /** The batches of epoch {@code epoch}: the loader's order and batch size, features instead of images. */
    public List<DataLoader.Batch> epoch(int epoch) {
        int[] order = loader.order(epoch);
        int batch = loader.batchSize(), batches = loader.batchesPerEpoch();
        List<DataLoader.Batch> out = new ArrayList<>(batches);
        for (int number = 0; number < batches; number++) {
            int start = number * batch, end = Math.min(order.length, start + batch);
            int[] indices = java.util.Arrays.copyOfRange(order, start, end);
            int[] labels = new int[indices.length];
            float[] x = new float[indices.length * dim];
            for (int k = 0; k < indices.length; k++) {
                System.arraycopy(features, indices[k] * dim, x, k * dim, dim);
                labels[k] = loader.dataset().label(indices[k]);
            }
            out.add(new DataLoader.Batch(Tensor.of(x, indices.length, dim), labels, indices, epoch, number));
        }
        return out;
    }
}
