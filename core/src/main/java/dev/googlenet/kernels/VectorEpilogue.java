package dev.googlenet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The Vector API body of {@link Epilogue} (loaded only when the vector kernels run). */
final class VectorEpilogue {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorEpilogue() {
    }

    static void biasRelu(float[] y, int off, int rows, int len, float[] bias, int biasOff, boolean relu) {
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
}
