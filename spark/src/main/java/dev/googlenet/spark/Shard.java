package dev.googlenet.spark;

import java.io.Serializable;
import java.util.List;
import java.util.Random;

/**
 * One partition's training samples, held in executor memory for the whole run: images prepared as the model's
 * input [C, S, S] and their labels. Each epoch a shard visits its samples in its own seeded order.
 */
record Shard(float[][] images, int[] labels) implements Serializable {

    static Shard of(List<Sample> samples) {
        float[][] images = new float[samples.size()][];
        int[] labels = new int[samples.size()];
        for (int i = 0; i < samples.size(); i++) {
            images[i] = samples.get(i).pixels();
            labels[i] = samples.get(i).label();
        }
        return new Shard(images, labels);
    }

    int size() {
        return labels.length;
    }

    /**
     * The indices of the samples of local batch {@code step} of {@code epoch}: a Fisher–Yates permutation seeded by
     * (seed, epoch, partition), cut into batches of {@code batch}. The same on every run, so a resumed run sees
     * what an uninterrupted one would have.
     */
    int[] batch(long seed, int epoch, int partition, int step, int batch) {
        int[] order = new int[size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Random rnd = new Random(seed * 1_000_003L + epoch * 8_191L + partition);
        for (int i = order.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] out = new int[batch];
        System.arraycopy(order, step * batch, out, 0, batch);
        return out;
    }
}
