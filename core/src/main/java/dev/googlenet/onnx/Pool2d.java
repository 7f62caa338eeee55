package dev.googlenet.onnx;

import dev.googlenet.tensor.Shape;

/**
 * ONNX's 2-D MaxPool / AveragePool on [N, C, H, W]: rectangular kernel, per-axis strides and dilations, asymmetric
 * pads [top, left, bottom, right], {@code auto_pad}, {@code ceil_mode} and {@code count_include_pad}. Padding never
 * takes part in a maximum; an average sums the input elements in the window and divides by their number, or,
 * with {@code count_include_pad}, by the number of window positions inside the padded input (PyTorch's and ONNX
 * Runtime's rule). In ceil mode a last window that would start past the input and its head padding is dropped.
 */
final class Pool2d {
    final int kh;
    final int kw;
    final int sh;
    final int sw;
    final int dh;
    final int dw;
    final long[] pads; // top, left, bottom, right; ignored unless autoPad is NOTSET
    final String autoPad;
    final boolean ceil;

    Pool2d(int kh, int kw, int sh, int sw, int dh, int dw, long[] pads, String autoPad, boolean ceil) {
        this.kh = kh;
        this.kw = kw;
        this.sh = sh;
        this.sw = sw;
        this.dh = dh;
        this.dw = dw;
        this.pads = pads;
        this.autoPad = autoPad;
        this.ceil = ceil;
    }

    /** Output length and head/tail padding along one axis: {out, head, tail}. */
    static int[] axis(int in, int k, int s, int d, long padHead, long padTail, String autoPad, boolean ceil) {
        int eff = (k - 1) * d + 1;
        switch (autoPad) {
            case "SAME_UPPER", "SAME_LOWER" -> {
                int out = Math.ceilDiv(in, s);
                int total = Math.max((out - 1) * s + eff - in, 0);
                int head = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                return new int[] {out, head, total - head};
            }
            case "VALID" -> {
                if (in < eff) {
                    throw new IllegalArgumentException("window " + eff + " larger than input " + in);
                }
                return new int[] {(in - eff) / s + 1, 0, 0};
            }
            default -> {
                long span = in + padHead + padTail - eff;
                if (span < 0) {
                    throw new IllegalArgumentException("window " + eff + " larger than input " + in + " with pads "
                            + padHead + "+" + padTail);
                }
                long out = (ceil ? Math.ceilDiv(span, s) : Math.floorDiv(span, s)) + 1;
                if (ceil && (out - 1) * s >= in + padHead) {
                    out--;
                }
                return new int[] {Math.toIntExact(out), (int) padHead, (int) padTail};
            }
        }
    }

    /** {outH, outW, top, left, bottom, right} for an input of h × w. */
    int[] geometry(int h, int w) {
        int[] y = axis(h, kh, sh, dh, pads[0], pads[2], autoPad, ceil);
        int[] x = axis(w, kw, sw, dw, pads[1], pads[3], autoPad, ceil);
        return new int[] {y[0], x[0], y[1], x[1], y[2], x[2]};
    }

    int[] outputShape(int[] in) {
        if (in.length != 4) {
            throw new IllegalArgumentException("expected input [N,C,H,W], got " + Shape.toString(in));
        }
        int[] g = geometry(in[2], in[3]);
        return new int[] {in[0], in[1], g[0], g[1]};
    }

    float[] max(float[] x, int[] shape) {
        return run(x, shape, true, false);
    }

    float[] average(float[] x, int[] shape, boolean countIncludePad) {
        return run(x, shape, false, countIncludePad);
    }

    private float[] run(float[] x, int[] shape, boolean max, boolean countIncludePad) {
        int planes = shape[0] * shape[1];
        int h = shape[2];
        int w = shape[3];
        int[] g = geometry(h, w);
        int oh = g[0];
        int ow = g[1];
        int top = g[2];
        int left = g[3];
        int bottom = g[4];
        int right = g[5];
        float[] y = new float[Math.toIntExact((long) planes * oh * ow)];
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int i = 0; i < oh; i++) {
                int y0 = i * sh - top;
                for (int j = 0; j < ow; j++) {
                    int x0 = j * sw - left;
                    float acc = max ? Float.NEGATIVE_INFINITY : 0f;
                    int count = 0;
                    int inside = 0; // window positions within the padded input
                    for (int r = 0; r < kh; r++) {
                        int iy = y0 + r * dh;
                        boolean rowPadded = iy < h + bottom;
                        for (int c = 0; c < kw; c++) {
                            int ix = x0 + c * dw;
                            if (rowPadded && ix < w + right) {
                                inside++;
                            }
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                continue;
                            }
                            float v = x[base + iy * w + ix];
                            if (max) {
                                if (v > acc || Float.isNaN(v)) {
                                    acc = v;
                                }
                            } else {
                                acc += v;
                            }
                            count++;
                        }
                    }
                    y[(p * oh + i) * ow + j] = max ? acc : acc / (countIncludePad ? inside : count);
                }
            }
        }
        return y;
    }
}
