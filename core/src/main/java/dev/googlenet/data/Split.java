package dev.googlenet.data;

import java.util.SplittableRandom;

/**
 * A training / validation split of one dataset: a seeded random permutation, the first part for validation.
 * The same dataset, fraction and seed always give the same split.
 *
 * @param train      examples to train on
 * @param validation held-out examples (empty when the fraction is 0)
 */
public record Split(Dataset train, Dataset validation) {

    /** Holds out {@code round(fraction · size)} random examples for validation. */
    public static Split random(Dataset dataset, double fraction, long seed) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + fraction);
        }
        int n = dataset.size();
        int held = (int) Math.round(fraction * n);
        return byCount(dataset, held, seed);
    }

    /** Holds out {@code count} random examples for validation. */
    public static Split byCount(Dataset dataset, int count, long seed) {
        int n = dataset.size();
        if (count < 0 || count >= n && n > 0) {
            throw new IllegalArgumentException("cannot hold out " + count + " of " + n + " examples");
        }
        int[] perm = permutation(n, new SplittableRandom(seed));
        int[] val = java.util.Arrays.copyOfRange(perm, 0, count);
        int[] train = java.util.Arrays.copyOfRange(perm, count, n);
        java.util.Arrays.sort(val);
        java.util.Arrays.sort(train);
        return new Split(dataset.subset(train), dataset.subset(val));
    }

    /** {@code limit} random examples of {@code dataset} (all when it has no more), in index order. */
    public static Dataset sample(Dataset dataset, int limit, long seed) {
        if (limit >= dataset.size()) {
            return dataset;
        }
        int[] perm = permutation(dataset.size(), new SplittableRandom(seed));
        int[] keep = java.util.Arrays.copyOf(perm, limit);
        java.util.Arrays.sort(keep);
        return dataset.subset(keep);
    }

    /** A uniformly random permutation of {@code 0..n-1} (Fisher–Yates). */
    public static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
