package dev.googlenet.kernels;

import dev.googlenet.testing.ThreadPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The convolution GEMM with row blocks and a fused epilogue ({@link VectorGemm}'s override) against
 * {@link Gemm}'s default (sgemm per block, then {@link Epilogue}): bit for bit, on odd shapes, with blocks that
 * cut through the micro-kernel's 6-row slivers, several k blocks, with and without bias and ReLU; and on packed
 * filters against their rows.
 */
class RowBlocksGemmTest {
    @RegisterExtension
    static final ThreadPools POOLS = new ThreadPools();
    private static final Parallel one = POOLS.one();
    private static final Parallel two = POOLS.two();

    /** The interface's default method on the same VectorGemm: the unfused path. */
    private record Unfused(Gemm inner) implements Gemm {
        @Override
        public void sgemm(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                          float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
            inner.sgemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    @Test
    void fusedRowBlocksMatchGemmThenEpilogueBitForBit() {
        Random rnd = new Random(5);
        int[][] shapes = {{1, 1, 1}, {7, 13, 5}, {13, 17, 3}, {31, 65, 300}, {448, 196, 528}, {65, 49, 833},
                {20, 64, 17}, {6, 129, 257}};
        int checked = 0;
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            for (int threads = 1; threads <= 2; threads++) {
                for (int variant = 0; variant < 4; variant++) {
                    boolean relu = (variant & 1) != 0;
                    float[] bias = (variant & 2) != 0 ? random(rnd, m, 1f) : null;
                    int[] firsts = cuts(rnd, m);
                    float[] a = random(rnd, 3 + m * k, 1f), b = random(rnd, 2 + k * (n + 1), 1f);
                    VectorGemm fast = new VectorGemm(threads == 1 ? one : two);
                    float[][] expected = outputs(firsts, m, n), actual = outputs(firsts, m, n);
                    int[] offsets = new int[firsts.length];
                    Arrays.fill(offsets, 2);
                    new Unfused(fast).sgemm(m, n, k, a, 3, k, b, 2, n + 1,
                            new RowBlocks(expected, offsets, firsts, n + 3, bias, relu));
                    fast.sgemm(m, n, k, a, 3, k, b, 2, n + 1, new RowBlocks(actual, offsets, firsts, n + 3, bias, relu));
                    for (int blk = 0; blk < firsts.length; blk++) {
                        assertArrayEquals(expected[blk], actual[blk], "m=" + m + " n=" + n + " k=" + k + " block "
                                + blk + " relu=" + relu + " bias=" + (bias != null) + " threads=" + threads);
                    }
                    checked++;
                }
            }
        }
        assertEquals(shapes.length * 8, checked);
    }

    /**
     * The GEMM on packed filters ({@link PackedFilters}) against the same filters' rows: bit for bit, with slivers
     * past m zero-padded (m not a multiple of 6), partial panels, two k blocks (k > 1024), row blocks, bias, ReLU.
     */
    @Test
    void packedFiltersMatchTheirRowsBitForBit() {
        EngineConfigureTest.requireVectorKernels();
        Random rnd = new Random(9);
        int[][] shapes = {{1, 1, 1}, {5, 17, 3}, {6, 64, 147}, {7, 196, 528}, {64, 49, 832}, {13, 65, 1025},
                {448, 392, 528}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            float[] a = random(rnd, m * k, 1f), b = random(rnd, k * n, 1f);
            PackedFilters packed = PackedFilters.of(a, m, k);
            for (int threads = 1; threads <= 2; threads++) {
                VectorGemm gemm = new VectorGemm(threads == 1 ? one : two);
                float[] bias = random(rnd, m, 1f);
                int[] firsts = cuts(rnd, m), offsets = new int[firsts.length];
                float[][] expected = outputs(firsts, m, n), actual = outputs(firsts, m, n);
                gemm.sgemm(m, n, k, a, 0, k, b, 0, n, new RowBlocks(expected, offsets, firsts, n + 3, bias, true));
                gemm.sgemm(packed, n, b, 0, n, new RowBlocks(actual, offsets, firsts, n + 3, bias, true));
                for (int blk = 0; blk < firsts.length; blk++) {
                    assertArrayEquals(expected[blk], actual[blk], "m=" + m + " n=" + n + " k=" + k + " block " + blk
                            + " threads=" + threads);
                }
            }
        }
    }

    /**
     * Narrow B (at most {@link VectorGemm#LANES_MAX_COLUMNS} columns: a 7×7 map) goes to the channel-lanes kernel
     * ({@link VectorChannelLanes}): bit for bit the pixel-lanes GEMM on the filters' rows, with partial channel
     * blocks (m not a multiple of 48), partial pixel tiles (n not a multiple of 7), an offset B whose rows are wider
     * than n, no bias or no ReLU, row blocks, one thread and two; and at the widest narrow B and one column past it.
     */
    @Test
    void channelLanesMatchThePixelLanesGemmBitForBit() {
        EngineConfigureTest.requireVectorKernels();
        Random rnd = new Random(11);
        int wide = VectorGemm.LANES_MAX_COLUMNS;
        int[][] shapes = {{1, 1, 1}, {47, 7, 2}, {48, 8, 5}, {49, 13, 33}, {97, 49, 300}, {144, 6, 17},
                {30, wide, 64}, {30, wide + 1, 64}, {624, 49, 832}, {5, 20, 1024}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2], ldb = n + 5, bOff = 3;
            float[] a = random(rnd, m * k, 1f), b = random(rnd, bOff + k * ldb, 1f);
            PackedFilters packed = PackedFilters.of(a, m, k);
            for (int variant = 0; variant < 4; variant++) {
                VectorGemm gemm = new VectorGemm(variant % 2 == 0 ? one : two);
                float[] bias = variant < 2 ? random(rnd, m, 1f) : null;
                boolean relu = variant != 3;
                int[] firsts = cuts(rnd, m), offsets = new int[firsts.length];
                float[][] expected = outputs(firsts, m, n), actual = outputs(firsts, m, n);
                gemm.sgemm(m, n, k, a, 0, k, b, bOff, ldb, new RowBlocks(expected, offsets, firsts, n + 3, bias,
                        relu));
                gemm.sgemm(packed, n, b, bOff, ldb, new RowBlocks(actual, offsets, firsts, n + 3, bias, relu));
                for (int blk = 0; blk < firsts.length; blk++) {
                    assertArrayEquals(expected[blk], actual[blk], "m=" + m + " n=" + n + " k=" + k + " block " + blk
                            + " variant " + variant);
                }
            }
        }
    }

    /** Channel block b holds channels 48b..48b+47 k-major, each k's 48 values side by side; zeros past m. */
    @Test
    void channelLanesPackingLaysOutBlocksOfThreeVectors() {
        EngineConfigureTest.requireVectorKernels();
        int cb = VectorChannelLanes.CB, m = cb + 2, k = 3;
        float[] a = new float[m * k];
        for (int i = 0; i < a.length; i++) {
            a[i] = 100 * (i / k) + i % k + 1; // channel r, k index q: 100r + q + 1
        }
        float[] p = PackedFilters.of(a, m, k).lanes();
        assertEquals(2 * k * cb, p.length);
        assertEquals(1f, p[0]);                      // channel 0, k 0
        assertEquals(101f, p[1]);                    // channel 1, k 0
        assertEquals(2f, p[cb]);                     // channel 0, k 1
        assertEquals(100f * (cb - 1) + 3, p[3 * cb - 1]); // last channel of block 0, k 2
        assertEquals(100f * cb + 1, p[k * cb]);      // channel 48: block 1, k 0
        assertEquals(100f * (cb + 1) + 3, p[k * cb + 2 * cb + 1]); // channel 49, k 2
        assertEquals(0f, p[k * cb + 2]);             // channel 50: past m
        assertEquals(null, PackedFilters.rowMajor(a, m, k).lanes());
    }

    /** Sliver s holds rows 6s..6s+5 k-major, each k's six values side by side; zeros for rows past m. */
    @Test
    void packingLaysOutSliversOfSixRows() {
        EngineConfigureTest.requireVectorKernels();
        int m = 8, k = 3;
        float[] a = new float[m * k];
        for (int i = 0; i < a.length; i++) {
            a[i] = 100 * (i / k) + i % k + 1; // row r, column q: 100r + q + 1
        }
        float[] p = PackedFilters.of(a, m, k).slivers();
        assertEquals(2 * 6 * k, p.length);
        assertEquals(1f, p[0]);     // row 0, k 0
        assertEquals(101f, p[1]);   // row 1, k 0
        assertEquals(2f, p[6]);     // row 0, k 1
        assertEquals(503f, p[17]);  // row 5, k 2
        assertEquals(601f, p[18]);  // row 6 (sliver 1), k 0
        assertEquals(703f, p[18 + 13]); // row 7, k 2
        assertEquals(0f, p[18 + 2]); // row 8: past m
        assertThrows(IllegalArgumentException.class, () -> PackedFilters.of(new float[5], 2, 3));
        assertEquals(null, PackedFilters.rowMajor(a, m, k).slivers());
    }

    @Test
    void reluClampsAndBiasIsAdded() {
        // 1×1 "GEMM": C = a·b = -2 per element; bias +1 → -1, clamped to 0; bias +3 → +1 kept
        float[] a = {1f, 1f}, b = {-2f, -2f};
        float[] lo = new float[2], hi = new float[2];
        new VectorGemm(two).sgemm(2, 2, 1, a, 0, 1, b, 0, 2, new RowBlocks(new float[][] {lo, hi}, new int[] {0, 0},
                new int[] {0, 1}, 2, new float[] {1f, 3f}, true));
        assertArrayEquals(new float[] {0f, 0f}, lo);
        assertArrayEquals(new float[] {1f, 1f}, hi);
    }

    @Test
    void rejectsBadBlocks() {
        float[][] out = {new float[4]};
        assertThrows(IllegalArgumentException.class, () -> new RowBlocks(out, new int[] {0}, new int[] {1}, 1, null,
                false));
        assertThrows(IllegalArgumentException.class, () -> new RowBlocks(new float[][] {new float[1], new float[1]},
                new int[] {0, 0}, new int[] {0}, 1, null, false));
        assertThrows(IllegalArgumentException.class, () -> new RowBlocks(new float[][] {new float[1], new float[1]},
                new int[] {0, 0}, new int[] {2, 1}, 1, null, false));
    }

    /** Block starts: 0, then up to three random cuts (some inside a 6-row sliver, possibly empty blocks). */
    private static int[] cuts(Random rnd, int m) {
        int extra = m < 2 ? 0 : rnd.nextInt(4);
        int[] firsts = new int[1 + extra];
        for (int i = 1; i < firsts.length; i++) {
            firsts[i] = rnd.nextInt(m + 1);
        }
        Arrays.sort(firsts);
        return firsts;
    }

    /** A NaN-filled array per block (the GEMM must overwrite, never read, old values), with slack at both ends. */
    private static float[][] outputs(int[] firsts, int m, int n) {
        float[][] out = new float[firsts.length][];
        for (int blk = 0; blk < firsts.length; blk++) {
            int rows = (blk + 1 < firsts.length ? firsts[blk + 1] : m) - firsts[blk];
            out[blk] = new float[2 + rows * (n + 3) + 5];
            Arrays.fill(out[blk], Float.NaN);
        }
        return out;
    }

    private static float[] random(Random rnd, int size, float scale) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (rnd.nextFloat() * 2 - 1) * scale;
        }
        return x;
    }
}
