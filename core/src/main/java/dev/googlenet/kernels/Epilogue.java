package dev.googlenet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** What follows a convolution's GEMM on each output row: add the channel's bias, optionally clamp at zero. */
public final class Epilogue {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private Epilogue() {
    }

    /** {@code rows} rows of {@code len} values from {@code off}; row r gets {@code bias[biasOff + r]} (bias may be null). */
    public static void biasRelu(float[] y, int off, int rows, int len, float[] bias, int biasOff, boolean relu) {
        if (bias == null && !relu) {
            return;
        }
        FloatVector zero = FloatVector.zero(S);
        for (int r = 0; r < rows; r++) {
            int o = off + r * len;
            float b = bias == null ? 0f : bias[biasOff + r];
            FloatVector bv = FloatVector.broadcast(S, b);
            int i = 0;
            for (int bound = S.loopBound(len); i < bound; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, y, o + i).add(bv);
                (relu ? v.max(zero) : v).intoArray(y, o + i);
            }
            for (; i < len; i++) {
                float v = y[o + i] + b;
                y[o + i] = relu ? Math.max(v, 0f) : v;
            }
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
