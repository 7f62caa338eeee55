package dev.googlenet.train;

import dev.googlenet.tensor.Tensor;

/** Top-k hits of logits against labels. */
public final class Accuracy {
    private Accuracy() {
    }

    /**
     * Rows of {@code logits [N, classes]} whose label is among the {@code k} highest (a label counts when fewer
     * than {@code k} classes score strictly higher, so ties never lose a hit).
     */
    public static int hits(Tensor logits, int[] labels, int k) {
        int n = logits.dim(0), classes = logits.dim(1), hits = 0;
        float[] z = logits.data();
        for (int i = 0; i < n; i++) {
            int off = i * classes;
            float mine = z[off + labels[i]];
            int higher = 0;
            for (int c = 0; c < classes && higher < k; c++) {
                if (z[off + c] > mine) {
                    higher++;
                }
            }
            if (higher < k && !Float.isNaN(mine)) {
                hits++;
            }
        }
        return hits;
    }

    /** The index of each row's largest logit (the first on ties). */
    public static int[] argmax(Tensor logits) {
        int n = logits.dim(0), classes = logits.dim(1);
        float[] z = logits.data();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (z[i * classes + c] > z[i * classes + best]) {
                    best = c;
                }
            }
            out[i] = best;
        }
        return out;
    }
}
