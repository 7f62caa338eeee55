package dev.googlenet.plan;

import dev.googlenet.kernels.Kernels;
import dev.googlenet.kernels.Parallel;
import dev.googlenet.model.Inception;
import dev.googlenet.model.InceptionSpec;
import dev.googlenet.model.Variant;
import dev.googlenet.testing.Randomize;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Inception's branches side by side (one image on several threads) against one after the other: the module's
 * output bit for bit, on Table 1's rows at their own map sizes, on two and eight threads; batch 2 keeps the
 * sequential order.
 */
class InceptionStepTest {
    @Test
    void branchesSideBySideGiveBitwiseTheSequentialOutput() {
        Random rnd = new Random(9);
        try (Parallel one = new Parallel(1); Parallel two = new Parallel(2); Parallel eight = new Parallel(8)) {
            // 3a at 28×28 (F(4×4)), 4c at 14×14 (F(2×2)), 5b at 7×7, and an odd map
            String[][] cases = {{"inception3a", "28"}, {"inception4c", "14"}, {"inception5b", "7"},
                    {"inception4a", "9"}};
            for (Variant variant : Variant.values()) {
                for (String[] c : cases) {
                    InceptionSpec spec = InceptionSpec.row(c[0]);
                    Inception inception = new Inception(spec, variant);
                    Randomize.state(inception, rnd);
                    int hw = Integer.parseInt(c[1]);
                    int[] in = {1, spec.in(), hw, hw};
                    float[] x = new float[spec.in() * hw * hw];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) rnd.nextGaussian();
                    }
                    InceptionStep sequential = new InceptionStep(c[0], inception,
                            new Fusions(true, true, true, false, true));
                    InceptionStep sideBySide = new InceptionStep(c[0], inception, Fusions.ALL);
                    float[] want = run(sequential, x, in, one);
                    boolean positive = false;
                    for (float v : want) {
                        positive |= v > 0;
                    }
                    assertTrue(positive, "the module's output is all zero: the comparison would prove nothing");
                    for (Parallel pool : new Parallel[] {two, eight}) {
                        assertArrayEquals(want, run(sideBySide, x, in, pool), variant + " " + c[0] + " side by side on "
                                + pool.threads() + " threads");
                        assertArrayEquals(want, run(sequential, x, in, pool), variant + " " + c[0] + " in order on "
                                + pool.threads() + " threads");
                    }
                }
            }
        }
    }

    private static float[] run(InceptionStep step, float[] x, int[] in, Parallel pool) {
        int[] out = step.outputShape(in);
        long[] sizes = step.temporaries(in, pool.threads());
        float[][] temps = new float[sizes.length][];
        for (int i = 0; i < sizes.length; i++) {
            temps[i] = new float[Math.toIntExact(sizes[i])];
            Arrays.fill(temps[i], Float.NaN); // what a step reads before writing would show
        }
        float[] y = new float[out[1] * out[2] * out[3]];
        Arrays.fill(y, Float.NaN); // every output must be written
        step.run(new Step.Frame(x, in, y, out, temps, pool, Kernels.gemm(pool)), null);
        return y;
    }
}
