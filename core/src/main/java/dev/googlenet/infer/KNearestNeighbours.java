package dev.googlenet.infer;

import dev.googlenet.tensor.Tensor;

/**
 * k-nearest-neighbour classification of embeddings by cosine similarity: a query takes the majority label of
 * the {@code k} labelled vectors most similar to it; a tie goes to the label whose tied neighbours are the more
 * similar in sum. The simplest use of {@code googlenet embed}'s vectors, with no training at all.
 */
public final class KNearestNeighbours {
    private final float[] reference; // unit vectors, one row per labelled example
    private final int[] labels;
    private final int dim;
    private final int k;
    private final int classes;

    /** {@code vectors} [N, D] with {@code labels[N]} in 0..classes−1; {@code k} ≥ 1 (at most N are used). */
    public KNearestNeighbours(Tensor vectors, int[] labels, int k) {
        if (vectors.rank() != 2 || vectors.dim(0) != labels.length || labels.length == 0) {
            throw new IllegalArgumentException("need vectors [N,D] and N labels, N ≥ 1");
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, not " + k);
        }
        this.dim = vectors.dim(1);
        this.reference = unitRows(vectors);
        this.labels = labels.clone();
        this.k = Math.min(k, labels.length);
        int max = 0;
        for (int l : labels) {
            if (l < 0) {
                throw new IllegalArgumentException("negative label " + l);
            }
            max = Math.max(max, l);
        }
        this.classes = max + 1;
    }

    private static float[] unitRows(Tensor t) {
        int n = t.dim(0), d = t.dim(1);
        float[] out = t.data().clone();
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                s += (double) out[i * d + j] * out[i * d + j];
            }
            float inv = s == 0 ? 0f : (float) (1 / Math.sqrt(s));
            for (int j = 0; j < d; j++) {
                out[i * d + j] *= inv;
            }
        }
        return out;
    }

    /** The predicted label of each query row of {@code queries} [M, D]. */
    public int[] classify(Tensor queries) {
        if (queries.rank() != 2 || queries.dim(1) != dim) {
            throw new IllegalArgumentException("queries must be [M," + dim + "]");
        }
        float[] q = unitRows(queries);
        int m = queries.dim(0), n = labels.length;
        int[] out = new int[m];
        java.util.stream.IntStream.range(0, m).parallel().forEach(i -> {
            float[] bestSim = new float[k];
            int[] bestIdx = new int[k];
            java.util.Arrays.fill(bestSim, Float.NEGATIVE_INFINITY);
            for (int r = 0; r < n; r++) {
                float s = 0;
                for (int j = 0; j < dim; j++) {
                    s += q[i * dim + j] * reference[r * dim + j];
                }
                if (s > bestSim[k - 1]) { // insert, keeping the list sorted by similarity, best first
                    int at = k - 1;
                    while (at > 0 && bestSim[at - 1] < s) {
                        bestSim[at] = bestSim[at - 1];
                        bestIdx[at] = bestIdx[at - 1];
                        at--;
                    }
                    bestSim[at] = s;
                    bestIdx[at] = r;
                }
            }
            int[] votes = new int[classes];
            double[] weight = new double[classes];
            for (int j = 0; j < k; j++) {
                votes[labels[bestIdx[j]]]++;
                weight[labels[bestIdx[j]]] += bestSim[j];
            }
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (votes[c] > votes[best] || (votes[c] == votes[best] && weight[c] > weight[best])) {
                    best = c;
                }
            }
            out[i] = best;
        });
        return out;
    }
}
