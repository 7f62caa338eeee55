package dev.googlenet.kernels;

import dev.googlenet.testing.ThreadPools;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** VectorGemm against the scalar reference, on edge shapes, all transposes, betas, offsets and strides. */
class VectorGemmTest {
    private static final int[] ODD = {1, 2, 3, 5, 7, 13, 17, 31, 63, 65, 129};
    private static final ScalarGemm REF = new ScalarGemm();

    @RegisterExtension
    static final ThreadPools POOLS = new ThreadPools();
    private static final Parallel one = POOLS.one();
    private static final Parallel two = POOLS.two();

    private static VectorGemm gemm(int threads) {
        return new VectorGemm(threads == 1 ? one : two);
    }

    /** A GEMM problem laid out in padded arrays: non-zero offsets, leading dimensions wider than needed. */
    private record Problem(boolean transA, boolean transB, int m, int n, int k, float beta,
                           float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                           float[] c, int cOff, int ldc) {

        static Problem random(long seed, boolean transA, boolean transB, int m, int n, int k, float beta,
                              boolean padded) {
            Random rnd = new Random(seed);
            int aRows = transA ? k : m;
            int aCols = transA ? m : k;
            int bRows = transB ? n : k;
            int bCols = transB ? k : n;
            int lda = aCols + (padded ? 1 + rnd.nextInt(5) : 0);
            int ldb = bCols + (padded ? 1 + rnd.nextInt(5) : 0);
            int ldc = n + (padded ? 1 + rnd.nextInt(5) : 0);
            int aOff = padded ? rnd.nextInt(7) : 0;
            int bOff = padded ? rnd.nextInt(7) : 0;
            int cOff = padded ? rnd.nextInt(7) : 0;
            float[] a = fill(rnd, aOff + Math.max(0, aRows - 1) * lda + aCols + (padded ? 3 : 0));
            float[] b = fill(rnd, bOff + Math.max(0, bRows - 1) * ldb + bCols + (padded ? 3 : 0));
            float[] c = fill(rnd, cOff + (m - 1) * ldc + n + (padded ? 3 : 0));
            if (beta == 0f) { // old contents must be ignored, NaN included
                for (int i = 0; i < m; i++) {
                    Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, Float.NaN);
                }
            }
            return new Problem(transA, transB, m, n, k, beta, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        }

        private static float[] fill(Random rnd, int size) {
            float[] x = new float[size];
            for (int i = 0; i < size; i++) {
                x[i] = rnd.nextFloat() * 2f - 1f;
            }
            return x;
        }

        float[] run(Gemm g) {
            float[] out = c.clone();
            g.sgemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, out, cOff, ldc);
            return out;
        }

        /** Per element: sum_p |a||b| + |beta*c|, the scale that float rounding errors are relative to. */
        float[] magnitude() {
            float[] absA = abs(a);
            float[] absB = abs(b);
            float[] out = new float[c.length];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    int at = cOff + i * ldc + j;
                    out[at] = beta == 0f ? 0f : Math.abs(beta * c[at]);
                }
            }
            REF.sgemm(transA, transB, m, n, k, absA, aOff, lda, absB, bOff, ldb, 1f, out, cOff, ldc);
            return out;
        }

        private static float[] abs(float[] x) {
            float[] y = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = Math.abs(x[i]);
            }
            return y;
        }

        @Override
        public String toString() {
            return "m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " transB=" + transB + " beta=" + beta
                    + " lda=" + lda + " ldb=" + ldb + " ldc=" + ldc;
        }
    }

    /** Checks VectorGemm (with the given threads) against ScalarGemm; returns VectorGemm's result. */
    private static float[] check(Problem pr, int threads) {
        return check(pr, gemm(threads));
    }

    /** Checks {@code fast} against ScalarGemm; returns its result. */
    private static float[] check(Problem pr, Gemm fast) {
        float[] got = pr.run(fast);
        float[] want = pr.run(REF);
        float[] mag = pr.magnitude();
        // Both sums round at most ~k times at float precision; allow a few ulps of the magnitude per term.
        double tol = 4e-7 * (pr.k + 4);
        for (int x = 0; x < got.length; x++) {
            int rel = x - pr.cOff;
            boolean inside = rel >= 0 && rel / pr.ldc < pr.m && rel % pr.ldc < pr.n;
            if (!inside) {
                if (Float.floatToRawIntBits(got[x]) != Float.floatToRawIntBits(pr.c[x])) {
                    fail(pr + ": wrote outside C at index " + x);
                }
                continue;
            }
            double err = Math.abs((double) got[x] - want[x]);
            if (!(err <= tol * mag[x] + 1e-30)) {
                fail(pr + ": C[" + rel / pr.ldc + "," + rel % pr.ldc + "] = " + got[x] + ", reference " + want[x]
                        + " (magnitude " + mag[x] + ")");
            }
        }
        return got;
    }

    @ParameterizedTest(name = "transA={0}")
    @ValueSource(booleans = {false, true})
    void oddShapesAllTransposes(boolean transA) {
        int[] ks = {1, 2, 7, 31, 129};
        long seed = transA ? 1000 : 0;
        for (boolean transB : new boolean[] {false, true}) {
            for (int m : ODD) {
                for (int n : ODD) {
                    for (int k : ks) {
                        seed++;
                        float beta = switch ((int) (seed % 3)) {
                            case 0 -> 0f;
                            case 1 -> 1f;
                            default -> -0.75f;
                        };
                        check(Problem.random(seed, transA, transB, m, n, k, beta, seed % 2 == 0), 1);
                    }
                }
            }
        }
    }

    /** The scalar lane sum adds in the order the vector halving (v + v.slice(VL/2), …) did, so bit for bit. */
    @Test
    void laneSumAddsPairwiseAsTheVectorHalvingDid() {
        Random random = new Random(11);
        int vl = FloatVector.SPECIES_PREFERRED.length();
        for (int trial = 0; trial < 200; trial++) {
            float[] t = new float[vl + 3];
            for (int i = 0; i < t.length; i++) {
                t[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3));
            }
            FloatVector v = FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, t, 3);
            for (int half = vl / 2; half >= 1; half /= 2) {
                v = v.add(v.slice(half));
            }
            assertEquals(Float.floatToIntBits(v.lane(0)), Float.floatToIntBits(VectorGemm.laneSum(t, 3)));
        }
    }

    @Test
    void severalKBlocksAndColumnBlocks() {
        long seed = 77;
        for (int k : new int[] {255, 256, 257, 600, 1100, 2100}) {
            for (int mn : new int[] {5, 17, 65, 129}) {
                for (int t = 0; t < 4; t++) {
                    boolean transA = (t & 1) != 0;
                    boolean transB = (t & 2) != 0;
                    check(Problem.random(seed++, transA, transB, mn, 2 * mn + 1, k, 0f, true), 2);
                    check(Problem.random(seed++, transA, transB, 2 * mn + 3, mn, k, 1f, true), 1);
                }
            }
        }
        // ldb = 1024 and short k: whole B panels are packed (in place they would crowd a few L1 sets).
        for (boolean transA : new boolean[] {false, true}) {
            check(Problem.random(seed++, transA, false, 30, 1024, 50, 0.5f, false), 1);
            check(Problem.random(seed++, transA, false, 100, 1000, 40, 0f, false), 2);
        }
        // Wider than one column block (NC) and many row slivers, so tasks split both ways.
        for (int t = 0; t < 4; t++) {
            check(Problem.random(seed++, (t & 1) != 0, (t & 2) != 0, 67, 1100, 70, 0.5f, true), 2);
            check(Problem.random(seed++, (t & 1) != 0, (t & 2) != 0, 301, 129, 300, 0f, true), 2);
        }
    }

    /**
     * Tiny k and column blocks (the tuning constructor): many blocks per call, k blocks of 1 and of uneven
     * lengths, partial last panels in every block, with both betas that the k blocks after the first switch from.
     */
    @Test
    void smallBlocksMatchTheReference() {
        long seed = 321;
        int nr = VectorGemm.NR;
        for (int[] blocking : new int[][] {{1, nr}, {5, nr}, {16, 2 * nr}, {VectorGemm.KC, nr}}) {
            for (int t = 0; t < 4; t++) {
                boolean transA = (t & 1) != 0, transB = (t & 2) != 0;
                for (int threads = 1; threads <= 2; threads++) {
                    VectorGemm g = new VectorGemm(threads == 1 ? one : two, blocking[0], blocking[1]);
                    check(Problem.random(seed++, transA, transB, 23, 3 * nr + 5, 37, 0f, true), g);
                    check(Problem.random(seed++, transA, transB, 7, 2 * nr - 3, 11, -0.5f, true), g);
                    check(Problem.random(seed++, transA, transB, 40, nr + 1, 3, 1f, false), g);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new VectorGemm(one, 0, nr));
        assertThrows(IllegalArgumentException.class, () -> new VectorGemm(one, 16, nr + 1));
        assertThrows(IllegalArgumentException.class, () -> new VectorGemm(one, 16, 0));
    }

    @ParameterizedTest(name = "beta={0}")
    @ValueSource(floats = {0f, 1f, 0.5f, -2.25f})
    void betaVariants(float beta) {
        long seed = 500 + (long) (beta * 100);
        for (int t = 0; t < 4; t++) {
            for (int threads = 1; threads <= 2; threads++) {
                check(Problem.random(seed++, (t & 1) != 0, (t & 2) != 0, 37, 83, 45, beta, true), threads);
                check(Problem.random(seed++, (t & 1) != 0, (t & 2) != 0, 130, 300, 520, beta, true), threads);
            }
        }
    }

    @Test
    void zeroK() {
        for (float beta : new float[] {0f, 1f, 3f}) {
            Problem pr = Problem.random(9, false, false, 5, 7, 0, beta, true);
            float[] got = pr.run(gemm(2));
            float[] want = pr.run(REF);
            assertArrayEquals(want, got, "k=0, beta=" + beta);
        }
    }

    @Test
    void nanInCIgnoredWithBetaZero() {
        Problem pr = Problem.random(3, false, false, 19, 70, 33, 0f, false);
        float[] got = check(pr, 2);
        for (float v : got) {
            assertTrue(Float.isFinite(v));
        }
    }

    /** Forward (N N), weight gradient (N T), input gradient (T N) and Linear shapes from GoogLeNet at 224. */
    @Test
    void googLeNetShapes() {
        int[][] nn = {{64, 12544, 147}, {192, 3136, 576}, {128, 784, 256}, {208, 196, 864}, {384, 49, 832},
                {16, 784, 192}};
        long seed = 4242;
        for (int[] s : nn) {
            int threads = (int) (seed % 2) + 1;
            check(Problem.random(seed++, false, false, s[0], s[1], s[2], 0f, false), threads);
        }
        check(Problem.random(seed++, false, true, 4, 1000, 1024, 0f, false), 2);      // Linear, batch 4
        check(Problem.random(seed++, false, true, 1, 1000, 1024, 0f, false), 1);      // Linear, batch 1
        check(Problem.random(seed++, false, true, 64, 147, 12544, 1f, false), 2);     // conv1 dW += dY col^T
        check(Problem.random(seed++, false, true, 208, 864, 196, 1f, false), 2);      // 4a 3x3 dW
        check(Problem.random(seed++, true, false, 147, 12544, 64, 0f, false), 2);     // conv1 dcol = W^T dY
        check(Problem.random(seed++, true, false, 832, 49, 384, 0f, false), 1);       // 5b 1x1 dcol
    }

    @Test
    void deterministicForAThreadCountAndAcrossThreadCounts() {
        long seed = 99;
        for (int t = 0; t < 4; t++) {
            Problem pr = Problem.random(seed++, (t & 1) != 0, (t & 2) != 0, 150, 700, 600, 0f, true);
            float[] first = pr.run(gemm(2));
            for (int rep = 0; rep < 3; rep++) {
                assertArrayEquals(first, pr.run(gemm(2)), "2 threads, repeat " + rep + ", " + pr);
            }
            float[] single = pr.run(gemm(1));
            assertArrayEquals(single, pr.run(gemm(1)), "1 thread, " + pr);
            // Every element is summed in the same order however C is split, so thread count does not matter.
            assertArrayEquals(single, first, "1 vs 2 threads, " + pr);
        }
    }

    /** The gather packing (used when vectors are not 16 floats) and the transposing one lay out B alike. */
    @Test
    void transposedPackingsAgree() {
        org.junit.jupiter.api.Assumptions.assumeTrue(VectorGemm.VL == 16, "16-float vectors only");
        Random rnd = new Random(5);
        for (int[] d : new int[][] {{16, 64}, {37, 50}, {64, 200}, {5, 3}, {256, 512}, {1, 17}}) {
            int kc = d[0];
            int nc = d[1];
            int ldb = kc + 3;
            float[] b = new float[(nc + 2) * ldb + 5];
            for (int i = 0; i < b.length; i++) {
                b[i] = rnd.nextFloat();
            }
            int size = kc * ((nc + VectorGemm.VL - 1) / VectorGemm.VL * VectorGemm.VL);
            float[] gathered = new float[size];
            float[] transposed = new float[size];
            VectorGemm.packBTransposed(b, 2, ldb, 1, kc, 1, nc, gathered, new VectorGemm.Scratch());
            VectorGemm.packBTransposed16(b, 2, ldb, 1, kc, 1, nc, transposed, new VectorGemm.Scratch());
            assertArrayEquals(gathered, transposed, "kc=" + kc + " nc=" + nc);
            // spot check the layout: op(B)[p][j] = b[2 + (1 + j) * ldb + 1 + p] sits in panel j / NR
            int p = kc - 1;
            int j = nc - 1;
            int panel = j / VectorGemm.NR * VectorGemm.NR;
            int width = Math.min(VectorGemm.NR, (nc - panel + VectorGemm.VL - 1) / VectorGemm.VL * VectorGemm.VL);
            assertEquals(b[2 + (1 + j) * ldb + 1 + p], transposed[panel * kc + p * width + (j - panel)]);
        }
    }

    @Test
    void rejectsBadSizes() {
        float[] x = new float[64];
        VectorGemm g = gemm(1);
        assertThrows(IllegalArgumentException.class,
                () -> g.sgemm(false, false, -1, 1, 1, x, 0, 1, x, 0, 1, 0f, x, 0, 1));
        assertThrows(IllegalArgumentException.class, // lda < k
                () -> g.sgemm(false, false, 2, 2, 3, x, 0, 2, x, 0, 2, 0f, x, 0, 2));
        assertThrows(IllegalArgumentException.class, // transposed: ldb < k
                () -> g.sgemm(false, true, 2, 2, 3, x, 0, 3, x, 0, 2, 0f, x, 0, 2));
        assertThrows(IllegalArgumentException.class, // ldc < n
                () -> g.sgemm(false, false, 2, 3, 2, x, 0, 2, x, 0, 3, 0f, x, 0, 2));
    }
}
