package dev.googlenet.onnx;

import dev.googlenet.kernels.Pooling;
import dev.googlenet.nn.AvgPool2d;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

/**
 * ONNX's 2-D MaxPool / AveragePool on [N, C, H, W]. Wherever the attributes fit the engine's pooling — a square
 * window, equal strides, no dilation, and for averages the same padding on all four sides — the work goes to the
 * engine ({@link Pooling#maxPool}, {@link AvgPool2d}), so the runner and the model pool with the same code. This
 * class keeps only what ONNX needs beyond them: ONNX's output geometry ({@code auto_pad}, asymmetric
 * {@code pads}, dilations, its ceil-mode rule), which also decides whether the engine's kernels apply, and one
 * plain loop for the windows they do not cover (rectangular kernels, unequal strides, dilations, asymmetric
 * average padding; the ONNX conformance tests exercise each).
 *
 * <p>Semantics, on both paths: padding never takes part in a maximum (NaN wins, as in the engine); an average sums
 * the input elements in the window and divides by their number, or, with {@code count_include_pad}, by the number
 * of window positions inside the padded input (PyTorch's and ONNX Runtime's rule). In ceil mode a last window that
 * would start past the input and its head padding is dropped.
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
        OnnxOps.requireAllocatable("pooling", in[0], in[1], g[0], g[1]);
        return new int[] {in[0], in[1], g[0], g[1]};
    }

    /** Whether the window is one the engine's kernels take: square, equal strides, no dilation. */
    private boolean square() {
        return kh == kw && sh == sw && dh == 1 && dw == 1;
    }

    /** Max pooling of a float [N,C,H,W] tensor into a new one. */
    Tensor max(Tensor x) {
        int[] os = outputShape(x.shape());
        int[] g = geometry(x.dim(2), x.dim(3));
        Tensor y = Tensor.zeros(os);
        if (square() && g[2] == g[3]) {
            // the tail pads only decide how many windows there are, and the engine is told that count (oh, ow)
            Pooling.maxPool(x.data(), os[0] * os[1], x.dim(2), x.dim(3), kh, sh, g[2], os[2], os[3], y.data(),
                    null);
        } else {
            window(x, g, y, true, false);
        }
        return y;
    }

    /** Average pooling of a float [N,C,H,W] tensor into a new one. */
    Tensor average(Tensor x, boolean countIncludePad) {
        int[] os = outputShape(x.shape());
        int[] g = geometry(x.dim(2), x.dim(3));
        int p = g[2];
        if (square() && g[3] == p && g[4] == p && g[5] == p && p < kh) {
            AvgPool2d layer = new AvgPool2d(kh, sh, p, ceil, countIncludePad); // new: its output is ours to keep
            if (java.util.Arrays.equals(layer.outputShape(x.shape()), os)) {
                return layer.forward(x, false);
            }
        }
        Tensor y = Tensor.zeros(os);
        window(x, g, y, false, countIncludePad);
        return y;
    }

    /** Pooling by the plain loop alone, whatever the window (the tests hold it against the engine's kernels). */
    Tensor plain(Tensor x, boolean max, boolean countIncludePad) {
        Tensor y = Tensor.zeros(outputShape(x.shape()));
        window(x, geometry(x.dim(2), x.dim(3)), y, max, countIncludePad);
        return y;
    }

    /** The plain loop over any ONNX window, for what the engine's kernels do not cover. */
    private void window(Tensor input, int[] g, Tensor output, boolean max, boolean countIncludePad) {
        float[] x = input.data();
        float[] y = output.data();
        int planes = input.dim(0) * input.dim(1);
        int h = input.dim(2);
        int w = input.dim(3);
        int oh = g[0];
        int ow = g[1];
        int top = g[2];
        int left = g[3];
        int bottom = g[4];
        int right = g[5];
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
    }
}
