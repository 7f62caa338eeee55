package dev.googlenet.kernels;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The strided convolution without an unfolding, against the plain definition, computed in bands of rows, with and
 * without the bias + ReLU epilogue it applies per tile; the scalar kernels' loops over the phase planes sum in the
 * vector micro-kernel's order, so the two agree bit for bit.
 */
class StridedConvTest {
    @BeforeAll
    static void vectorKernels() {
        EngineConfigureTest.requireVectorKernels(); // sc.rows below must reach the vector kernel
    }

    @Test
    void matchesTheDefinitionOnOddShapes() {
        Random rnd = new Random(11);
        // channels, h, w, kh, kw, stride, pad, filters
        int[][] cases = {{3, 23, 19, 7, 7, 2, 3, 13}, {2, 9, 70, 3, 3, 2, 1, 7}, {1, 11, 11, 1, 1, 2, 0, 6},
                {4, 15, 130, 5, 5, 3, 2, 5}, {3, 30, 150, 7, 7, 2, 3, 64}, {2, 8, 8, 2, 4, 4, 3, 1}};
        for (int ci = 0; ci < cases.length; ci++) {
            int[] c = cases[ci];
            boolean relu = ci % 2 == 0;
            float[] bias = ci % 3 == 2 ? null : random(rnd, c[7]);
            StridedConv sc = new StridedConv(c[0], c[1], c[2], c[3], c[4], c[5], c[6]);
            float[] x = random(rnd, c[0] * c[1] * c[2] + 3);
            float[] w = random(rnd, c[7] * c[0] * c[3] * c[4]);
            int ohw = sc.outH() * sc.outW();
            float[] want = new float[c[7] * ohw + 5], got = new float[c[7] * ohw + 5];
            got[got.length - 1] = 42f;
            StridedConv.reference(x, 3, c[0], c[1], c[2], w, c[7], c[3], c[4], c[5], c[6], want, 2);
            Epilogue.biasReluReference(want, 2, c[7], ohw, bias, 0, relu);
            float[] planes = new float[sc.phaseSize()];
            sc.phases(x, 3, planes);
            float[] tile = new float[sc.scratchSize()];
            int mid = sc.outH() / 2; // two bands, as two threads would take them
            sc.rows(planes, w, c[7], bias, relu, got, 2, 0, mid, tile);
            sc.rows(planes, w, c[7], bias, relu, got, 2, mid, sc.outH(), tile);
            assertEquals(42f, got[got.length - 1], "nothing written past the output");
            float[] scalar = new float[got.length];
            scalar[got.length - 1] = 42f;
            sc.rowsReference(planes, w, c[7], bias, relu, scalar, 2, 0, 1);
            sc.rowsReference(planes, w, c[7], bias, relu, scalar, 2, 1, sc.outH());
            assertArrayEquals(got, scalar, java.util.Arrays.toString(c) + ": scalar rows against vector rows");
            for (int i = 0; i < want.length - 1; i++) {
                assertEquals(want[i], got[i], 1e-5f * Math.max(1f, Math.abs(want[i])),
                        java.util.Arrays.toString(c) + " relu " + relu + " bias " + (bias != null) + " at " + i);
            }
        }
    }

    /**
     * With packed filters and output rows of whole vectors, the micro-kernel reads full panels in place in the phase
     * planes (no packing); partial panels and other widths are packed. Either way the bits are
     * those of the row-major filters' path: output widths of 32 (in place, with a partial last panel) and 112 (the
     * stem's), 13 (packed), filters not a multiple of the micro-kernel's 6 rows, split into two bands.
     */
    @Test
    void packedFiltersReadInPlaceGiveTheSameBits() {
        Random rnd = new Random(12);
        // channels, h, w, filters; 7×7/2 pad 3 as the stem's, so the output is ⌈h/2⌉ × ⌈w/2⌉
        int[][] cases = {{3, 13, 64, 13}, {3, 9, 224, 64}, {2, 11, 25, 8}, {1, 64, 64, 5}};
        for (int ci = 0; ci < cases.length; ci++) {
            int[] c = cases[ci];
            boolean relu = ci % 2 == 0;
            float[] bias = ci == 2 ? null : random(rnd, c[3]);
            StridedConv sc = new StridedConv(c[0], c[1], c[2], 7, 7, 2, 3);
            float[] x = random(rnd, c[0] * c[1] * c[2]);
            float[] w = random(rnd, c[3] * c[0] * 49);
            PackedFilters packed = PackedFilters.of(w, c[3], c[0] * 49);
            int ohw = sc.outH() * sc.outW();
            float[] planes = new float[sc.phaseSize()];
            sc.phases(x, 0, planes);
            float[] tile = new float[sc.scratchSize()];
            float[] rowMajor = new float[c[3] * ohw + 1], inPlace = new float[c[3] * ohw + 1];
            inPlace[inPlace.length - 1] = 42f;
            int mid = sc.outH() / 2;
            sc.rows(planes, w, c[3], bias, relu, rowMajor, 0, 0, mid, tile);
            sc.rows(planes, w, c[3], bias, relu, rowMajor, 0, mid, sc.outH(), tile);
            sc.rows(planes, w, packed, c[3], bias, relu, inPlace, 0, 0, mid, tile);
            sc.rows(planes, w, packed, c[3], bias, relu, inPlace, 0, mid, sc.outH(), tile);
            assertEquals(42f, inPlace[inPlace.length - 1], "nothing written past the output");
            inPlace[inPlace.length - 1] = 0f;
            assertArrayEquals(rowMajor, inPlace, java.util.Arrays.toString(c) + ": packed filters against rows");
            float[] want = new float[c[3] * ohw + 1];
            StridedConv.reference(x, 0, c[0], c[1], c[2], w, c[3], 7, 7, 2, 3, want, 0);
            Epilogue.biasReluReference(want, 0, c[3], ohw, bias, 0, relu);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], inPlace[i], 1e-5f * Math.max(1f, Math.abs(want[i])),
                        java.util.Arrays.toString(c) + " at " + i);
            }
        }
    }

    private static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextFloat() * 2 - 1;
        }
        return a;
    }
}
