package dev.googlenet.kernels;

/**
 * The plain definition of a 3×3, stride 1, padding 1 convolution (NCHW, PyTorch weight layout), summed in double:
 * the reference {@link Winograd3x3} is checked against. Slow; for tests and debugging.
 */
public final class Conv3x3Reference {
    private Conv3x3Reference() {
    }

    /**
     * Same contract as {@link Winograd3x3#forward(float[], int, int, int, int, Winograd3x3.Weights, float[],
     * boolean, float[], int, int, int)}, with untransformed weights {@code w[co][ci][3][3]}.
     */
    public static void forward(float[] x, int xOff, int cin, int h, int w, float[] wt, int cout, float[] bias,
                               boolean relu, float[] out, int outOff, int outTotalChannels, int outChannelOffset) {
        for (int co = 0; co < cout; co++) {
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    double acc = bias == null ? 0 : bias[co];
                    for (int ci = 0; ci < cin; ci++) {
                        for (int i = 0; i < 3; i++) {
                            int iy = y + i - 1;
                            if (iy < 0 || iy >= h) {
                                continue;
                            }
                            for (int j = 0; j < 3; j++) {
                                int ix = xx + j - 1;
                                if (ix >= 0 && ix < w) {
                                    acc += (double) x[xOff + (ci * h + iy) * w + ix]
                                            * wt[((co * cin + ci) * 3 + i) * 3 + j];
                                }
                            }
                        }
                    }
                    float v = (float) acc;
                    out[outOff + ((outChannelOffset + co) * h + y) * w + xx] = relu ? Math.max(v, 0f) : v;
                }
            }
        }
    }

    /**
     * The error scale of each output: {@code Σ |w|·|x|} over its receptive field (plus |bias|), laid out like
     * {@link #forward}'s output for one image with {@code cout} channels at offset 0.
     */
    public static double[] magnitude(float[] x, int xOff, int cin, int h, int w, float[] wt, int cout, float[] bias) {
        double[] mag = new double[cout * h * w];
        for (int co = 0; co < cout; co++) {
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    double acc = bias == null ? 0 : Math.abs(bias[co]);
                    for (int ci = 0; ci < cin; ci++) {
                        for (int i = 0; i < 3; i++) {
                            int iy = y + i - 1;
                            for (int j = 0; j < 3; j++) {
                                int ix = xx + j - 1;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                    acc += Math.abs((double) x[xOff + (ci * h + iy) * w + ix]
                                            * wt[((co * cin + ci) * 3 + i) * 3 + j]);
                                }
                            }
                        }
                    }
                    mag[(co * h + y) * w + xx] = acc;
                }
            }
        }
        return mag;
    }
}
