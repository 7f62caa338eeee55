package dev.googlenet.data;

import java.util.Locale;

/**
 * Resampling filters for the crops of the augmentations, computed as Pillow's {@code resize} does (separable
 * filters whose support widens when shrinking, so downscaling averages instead of aliasing). {@link #BOX}
 * averages the covered source pixels, the "area" interpolation of the paper's list.
 */
public enum Interpolation {
    NEAREST(0), BOX(0.5), BILINEAR(1), BICUBIC(2);

    final double support;

    Interpolation(double support) {
        this.support = support;
    }

    double filter(double x) {
        x = Math.abs(x);
        return switch (this) {
            case NEAREST -> 1;
            case BOX -> x <= 0.5 ? 1 : 0;
            case BILINEAR -> x < 1 ? 1 - x : 0;
            case BICUBIC -> { // Keys' cubic with a = -0.5, as Pillow
                double a = -0.5;
                if (x < 1) {
                    yield ((a + 2) * x - (a + 3)) * x * x + 1;
                } else if (x < 2) {
                    yield (((x - 5) * x + 8) * x - 4) * a;
                }
                yield 0;
            }
        };
    }

    public static Interpolation parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown interpolation '" + s + "': use nearest, box, bilinear or bicubic");
        }
    }

    /**
     * Resamples the box {@code (x0, y0, w, h)} of {@code src} (in pixels, may be fractional) to {@code outW × outH}.
     * Values are clamped to the source's range [0, 1] after bicubic filtering, whose overshoot would leave it.
     */
    public FloatImage resize(FloatImage src, double x0, double y0, double w, double h, int outW, int outH) {
        Weights wx = weights(src.width(), x0, w, outW);
        Weights wy = weights(src.height(), y0, h, outH);
        int c = src.channels(), inW = src.width(), inH = src.height();
        float[] s = src.data();
        float[] tmp = new float[c * inH * outW];
        for (int ch = 0; ch < c; ch++) { // horizontal pass: every source row to outW
            for (int y = 0; y < inH; y++) {
                int row = (ch * inH + y) * inW;
                int orow = (ch * inH + y) * outW;
                for (int x = 0; x < outW; x++) {
                    double acc = 0;
                    int first = wx.first[x];
                    double[] k = wx.k[x];
                    for (int j = 0; j < k.length; j++) {
                        acc += k[j] * s[row + first + j];
                    }
                    tmp[orow + x] = (float) acc;
                }
            }
        }
        float[] out = new float[c * outH * outW];
        boolean clamp = this == BICUBIC;
        for (int ch = 0; ch < c; ch++) { // vertical pass
            int plane = ch * inH * outW;
            for (int y = 0; y < outH; y++) {
                int first = wy.first[y];
                double[] k = wy.k[y];
                int orow = (ch * outH + y) * outW;
                for (int x = 0; x < outW; x++) {
                    double acc = 0;
                    for (int j = 0; j < k.length; j++) {
                        acc += k[j] * tmp[plane + (first + j) * outW + x];
                    }
                    float v = (float) acc;
                    out[orow + x] = clamp ? Math.min(1f, Math.max(0f, v)) : v;
                }
            }
        }
        return new FloatImage(c, outH, outW, out);
    }

    private record Weights(int[] first, double[][] k) {
    }

    private Weights weights(int inSize, double start, double span, int outSize) {
        int[] first = new int[outSize];
        double[][] k = new double[outSize][];
        double scale = span / outSize;
        double filterScale = Math.max(scale, 1);
        double support = this.support * filterScale;
        for (int i = 0; i < outSize; i++) {
            double center = start + (i + 0.5) * scale;
            if (this == NEAREST) {
                first[i] = Math.clamp((long) Math.floor(center), 0, inSize - 1);
                k[i] = new double[] {1};
                continue;
            }
            int lo = Math.max(0, (int) Math.floor(center - support + 0.5));
            int hi = Math.min(inSize, (int) Math.floor(center + support + 0.5));
            if (hi <= lo) { // a box entirely outside the image: take the nearest edge pixel
                lo = Math.clamp((long) Math.floor(center), 0, inSize - 1);
                hi = lo + 1;
            }
            double[] w = new double[hi - lo];
            double sum = 0;
            for (int x = lo; x < hi; x++) {
                w[x - lo] = filter((x - center + 0.5) / filterScale);
                sum += w[x - lo];
            }
            if (sum == 0) {
                java.util.Arrays.fill(w, 1.0 / w.length);
            } else {
                for (int j = 0; j < w.length; j++) {
                    w[j] /= sum;
                }
            }
            first[i] = lo;
            k[i] = w;
        }
        return new Weights(first, k);
    }
}
