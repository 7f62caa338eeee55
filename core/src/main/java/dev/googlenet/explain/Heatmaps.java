package dev.googlenet.explain;

import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

/**
 * Maps [N,h,w] brought to an image's size and range: bilinear upsampling with PyTorch's
 * {@code F.interpolate(mode="bilinear", align_corners=False)} semantics, then min–max scaling to [0, 1] per image.
 * Arithmetic in double; results are new tensors.
 */
public final class Heatmaps {
    private Heatmaps() {
    }

    /** {@link #upsampleBilinear} to {@code height}×{@code width}, then {@link #minMaxScale}: what is overlaid on the image. */
    public static Tensor heatmap(Tensor maps, int height, int width) {
        return minMaxScale(upsampleBilinear(maps, height, width));
    }

    /**
     * Bilinear resize of each [h,w] map to {@code height}×{@code width}, align_corners=false: output pixel d reads
     * the source coordinate s = (d + 0.5)·(in/out) − 0.5, clamped at 0 (so the border pixels copy the edge instead
     * of extrapolating), from pixels ⌊s⌋ and ⌊s⌋ + 1 (the last pixel itself at the far edge) weighted by the
     * fractional part. The scale is in/out, as PyTorch computes it when given a size rather than a factor.
     */
    public static Tensor upsampleBilinear(Tensor maps, int height, int width) {
        requireMaps(maps);
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("upsampleBilinear: size must be positive, got " + height + "×" + width);
        }
        int n = maps.dim(0), h = maps.dim(1), w = maps.dim(2);
        int[] y0 = new int[height], y1 = new int[height], x0 = new int[width], x1 = new int[width];
        double[] fy = new double[height], fx = new double[width];
        sourceIndices(h, height, y0, y1, fy);
        sourceIndices(w, width, x0, x1, fx);
        float[] in = maps.data();
        float[] out = new float[n * height * width];
        for (int img = 0; img < n; img++) {
            int src = img * h * w, dst = img * height * width;
            for (int oy = 0; oy < height; oy++) {
                int r0 = src + y0[oy] * w, r1 = src + y1[oy] * w;
                double ly = fy[oy];
                for (int ox = 0; ox < width; ox++) {
                    double lx = fx[ox];
                    double top = (1 - lx) * in[r0 + x0[ox]] + lx * in[r0 + x1[ox]];
                    double bottom = (1 - lx) * in[r1 + x0[ox]] + lx * in[r1 + x1[ox]];
                    out[dst + oy * width + ox] = (float) ((1 - ly) * top + ly * bottom);
                }
            }
        }
        return Tensor.of(out, n, height, width);
    }

    /** For each output index: the two source indices and the weight of the second (PyTorch's λ₁). */
    private static void sourceIndices(int in, int out, int[] i0, int[] i1, double[] lambda) {
        double scale = (double) in / out;
        for (int d = 0; d < out; d++) {
            double s = Math.max(0, (d + 0.5) * scale - 0.5);
            int lo = Math.min((int) s, in - 1);
            i0[d] = lo;
            i1[d] = lo < in - 1 ? lo + 1 : lo;
            lambda[d] = Math.min(1, s - lo);
        }
    }

    /**
     * Each image's map shifted and scaled to [0, 1]: (m − min) / (max − min). A constant map (nothing stands out)
     * becomes all zeros rather than 0/0.
     */
    public static Tensor minMaxScale(Tensor maps) {
        requireMaps(maps);
        int n = maps.dim(0), hw = maps.dim(1) * maps.dim(2);
        float[] in = maps.data();
        float[] out = new float[n * hw];
        for (int img = 0; img < n; img++) {
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (int p = 0; p < hw; p++) {
                min = Math.min(min, in[img * hw + p]);
                max = Math.max(max, in[img * hw + p]);
            }
            double range = max - min;
            if (range > 0) { // else the zeros stand
                for (int p = 0; p < hw; p++) {
                    out[img * hw + p] = (float) ((in[img * hw + p] - min) / range);
                }
            }
        }
        return Tensor.of(out, n, maps.dim(1), maps.dim(2));
    }

    private static void requireMaps(Tensor maps) {
        if (maps.rank() != 3 || maps.dim(0) < 1 || maps.dim(1) < 1 || maps.dim(2) < 1) {
            throw new IllegalArgumentException("expected maps [N,h,w], got " + Shape.toString(maps.shape()));
        }
    }
}
