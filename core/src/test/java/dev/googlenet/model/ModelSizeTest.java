package dev.googlenet.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ModelSize}'s bound holds for built models: never below their true size, and not far above it. */
class ModelSizeTest {
    private static long actual(GoogLeNetConfig c) {
        return new GoogLeNet(c).stateDict().values().stream().mapToLong(t -> t.size()).sum();
    }

    @Test
    void theBoundIsNeverBelowTheTruthAndWithinTwoAndAHalfTimesIt() {
        int checked = 0;
        for (Variant v : Variant.values()) {
            for (boolean small : new boolean[] {false, true}) {
                for (float width : new float[] {1 / 16f, 0.25f, 0.5f, 1f, 1.5f}) {
                    boolean aux = checked % 2 == 0;
                    int classes = width < 0.3f ? 10 : 1000;
                    int channels = small ? 1 : 3;
                    GoogLeNetConfig c = GoogLeNetConfig.builder().setVariant(v).optSmallInput(small)
                            .optWidth(width).optNumClasses(classes).optInputChannels(channels).optAuxHeads(aux)
                            .build();
                    long truth = actual(c);
                    double bound = ModelSize.parameters(c);
                    String what = c + ": " + truth + " parameters, bound " + bound;
                    assertTrue(bound >= truth, what);
                    if (width >= 0.25f) {
                        assertTrue(bound <= 2.5 * truth, what);
                    }
                    checked++;
                }
            }
        }
        assertTrue(checked == 20);
    }
}
