package dev.googlenet.explain;

import dev.googlenet.plan.InferencePlan;
import dev.googlenet.tensor.Tensor;

import java.util.Arrays;

/** Occlusion sensitivity's mechanics for {@link Explainer#occlusion}: where the patch goes, the batched drops. */
final class Occlusion {
    private Occlusion() {
    }

    /**
     * The patch's start offsets along a side: 0, stride, 2·stride, … while the patch fits, plus one flush with
     * the far edge when the last regular one stops short of it (so every pixel is covered).
     */
    static int[] positions(int size, int patch, int stride) {
        int regular = (size - patch) / stride + 1;
        int last = (regular - 1) * stride;
        int[] p = new int[last + patch < size ? regular + 1 : regular];
        for (int i = 0; i < regular; i++) {
            p[i] = i * stride;
        }
        if (p.length > regular) {
            p[regular] = size - patch;
        }
        return p;
    }

    /**
     * base − logit[cls] of the image occluded at each position (row-major over ys × xs). The occluded copies go
     * through the plan {@code batch} at a time, the batches as even as the count allows.
     */
    static float[] drops(InferencePlan plan, float[] image, int ch, int h, int w, int[] ys, int[] xs, int patch,
                         float fill, int cls, float base, int batch) {
        int count = ys.length * xs.length, per = ch * h * w;
        int calls = (count + batch - 1) / batch, size = (count + calls - 1) / calls;
        float[] drops = new float[count];
        for (int from = 0; from < count; from += size) {
            int m = Math.min(size, count - from);
            float[] buf = new float[m * per];
            for (int j = 0; j < m; j++) {
                System.arraycopy(image, 0, buf, j * per, per);
                int y0 = ys[(from + j) / xs.length], x0 = xs[(from + j) % xs.length];
                for (int c = 0; c < ch; c++) {
                    for (int y = y0; y < y0 + patch; y++) {
                        int row = j * per + (c * h + y) * w;
                        Arrays.fill(buf, row + x0, row + x0 + patch, fill);
                    }
                }
            }
            Tensor logits = plan.logits(Tensor.of(buf, m, ch, h, w));
            for (int j = 0; j < m; j++) {
                drops[from + j] = base - logits.get(j, cls);
            }
        }
        return drops;
    }

    /** Each pixel of {@code out} (from {@code offset}, h×w) gets the mean drop of the positions covering it. */
    static void spread(float[] drops, int[] ys, int[] xs, int patch, int h, int w, float[] out, int offset) {
        double[] sum = new double[h * w];
        int[] count = new int[h * w];
        for (int i = 0; i < ys.length; i++) {
            for (int j = 0; j < xs.length; j++) {
                double d = drops[i * xs.length + j];
                for (int y = ys[i]; y < ys[i] + patch; y++) {
                    for (int x = xs[j]; x < xs[j] + patch; x++) {
                        sum[y * w + x] += d;
                        count[y * w + x]++;
                    }
                }
            }
        }
        for (int p = 0; p < h * w; p++) {
            out[offset + p] = count[p] == 0 ? 0f : (float) (sum[p] / count[p]);
        }
    }
}
