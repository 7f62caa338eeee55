package dev.googlenet.kernels;

/** What follows a convolution's GEMM on each output row: add the channel's bias, optionally clamp at zero. */
public final class Epilogue {
    private Epilogue() {
    }

    /** {@code rows} rows of {@code len} values from {@code off}; row r gets {@code bias[biasOff + r]} (bias may be null). */
    public static void biasRelu(float[] y, int off, int rows, int len, float[] bias, int biasOff, boolean relu) {
        if (bias == null && !relu) {
            return;
        }
        if (Kernels.VECTOR) {
            VectorEpilogue.biasRelu(y, off, rows, len, bias, biasOff, relu);
        } else {
            biasReluReference(y, off, rows, len, bias, biasOff, relu);
        }
    }

    /** Reference for {@link #biasRelu}. */
    public static void biasReluReference(float[] y, int off, int rows, int len, float[] bias, int biasOff,
                                         boolean relu) {
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < len; i++) {
                float v = y[off + r * len + i] + (bias == null ? 0f : bias[biasOff + r]);
                y[off + r * len + i] = relu ? Math.max(v, 0f) : v;
            }
        }
    }
}
