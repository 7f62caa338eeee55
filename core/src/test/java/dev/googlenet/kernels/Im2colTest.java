package dev.googlenet.kernels;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The unfolding and its adjoint, vector ({@link VectorIm2col}'s masked whole-plane path for "same" geometries) and
 * scalar (row segments for every geometry), against the definitions written here, on odd shapes, a range of
 * channels, and an image placed among others in a wider matrix. Each output pixel's sum runs in (ky, kx) order on
 * every path, so all agree bit for bit.
 */
class Im2colTest {
    // channels, h, w, kh, kw, stride, pad
    private static final int[][] GEOMETRIES = {
            {3, 7, 5, 3, 3, 1, 1}, {2, 4, 4, 1, 1, 1, 0}, {2, 9, 6, 5, 5, 1, 2}, {1, 1, 1, 3, 3, 1, 1},
            {3, 17, 3, 3, 3, 1, 1}, {2, 9, 11, 3, 3, 2, 1}, {3, 13, 10, 7, 7, 2, 3}, {2, 6, 7, 2, 3, 1, 0},
            {1, 8, 8, 3, 3, 3, 0}, {2, 14, 14, 1, 1, 2, 0}};

    @Test
    void unfoldingMatchesTheDefinition() {
        Random rnd = new Random(13);
        for (int[] g : GEOMETRIES) {
            int c = g[0], h = g[1], w = g[2], kh = g[3], kw = g[4];
            Im2col vector = new Im2col(c, h, w, kh, kw, g[5], g[6], true);
            Im2col scalar = new Im2col(c, h, w, kh, kw, g[5], g[6], false);
            int ohw = vector.outH() * vector.outW(), ld = 2 * ohw + 3, colOff = ohw + 2, rows = c * kh * kw;
            float[] x = random(rnd, 5 + c * h * w);
            float[] want = unfold(x, 5, g, vector.outH(), vector.outW());
            int c0 = c > 1 ? 1 : 0; // channels [c0, c): rows of the others stay as they were
            for (Im2col l : new Im2col[] {vector, scalar}) {
                float[] col = new float[rows * ld];
                Arrays.fill(col, Float.NaN);
                l.im2col(x, 5, col, colOff, ld, c0, c);
                for (int r = 0; r < rows; r++) {
                    for (int q = 0; q < ld; q++) {
                        boolean written = r >= c0 * kh * kw && q >= colOff && q < colOff + ohw;
                        float expected = written ? want[r * ohw + q - colOff] : Float.NaN;
                        assertEquals(expected, col[r * ld + q], 0f, Arrays.toString(g) + (l == vector ? " vector"
                                : " scalar") + " row " + r + " column " + q);
                    }
                }
            }
        }
    }

    @Test
    void foldingIsTheAdjoint() {
        Random rnd = new Random(14);
        for (int[] g : GEOMETRIES) {
            int c = g[0], h = g[1], w = g[2], kh = g[3], kw = g[4];
            Im2col vector = new Im2col(c, h, w, kh, kw, g[5], g[6], true);
            Im2col scalar = new Im2col(c, h, w, kh, kw, g[5], g[6], false);
            int ohw = vector.outH() * vector.outW(), ld = ohw + 4, colOff = 3, rows = c * kh * kw;
            float[] dcol = random(rnd, rows * ld);
            float[] want = fold(dcol, colOff, ld, g, vector.outH(), vector.outW());
            int c1 = Math.max(1, c - 1); // channels [0, c1): the others stay as they were
            for (Im2col l : new Im2col[] {vector, scalar}) {
                float[] dx = new float[2 + c * h * w];
                Arrays.fill(dx, Float.NaN);
                l.col2im(dcol, colOff, ld, dx, 2, 0, c1);
                for (int i = 0; i < dx.length; i++) {
                    boolean written = i >= 2 && i < 2 + c1 * h * w;
                    assertEquals(written ? want[i - 2] : Float.NaN, dx[i], 0f, Arrays.toString(g)
                            + (l == vector ? " vector" : " scalar") + " at " + i);
                }
            }
        }
    }

    @Test
    void copyRowsWithBiasAndRelu() {
        Random rnd = new Random(15);
        for (int len : new int[] {1, 7, 16, 37}) {
            int rows = 5, srcLd = len + 3, dstLd = len + 8;
            float[] src = random(rnd, 2 + rows * srcLd), bias = random(rnd, rows + 1);
            for (float[] b : new float[][] {null, bias}) {
                for (boolean relu : new boolean[] {false, true}) {
                    float[] vector = new float[4 + rows * dstLd], scalar = new float[vector.length];
                    Arrays.fill(vector, 9f);
                    Arrays.fill(scalar, 9f);
                    VectorIm2col.copyRows(src, 2, srcLd, vector, 4, dstLd, rows, len, b, 1, relu);
                    Im2col.copyRowsReference(src, 2, srcLd, scalar, 4, dstLd, rows, len, b, 1, relu);
                    assertArrayEquals(scalar, vector, "len " + len + " bias " + (b != null) + " relu " + relu);
                    for (int r = 0; r < rows; r++) {
                        for (int i = 0; i < dstLd; i++) {
                            float v = src[2 + r * srcLd + Math.min(i, len - 1)] + (b == null ? 0f : b[1 + r]);
                            float expected = i < len ? (relu ? Math.max(v, 0f) : v) : 9f;
                            assertEquals(expected, scalar[4 + r * dstLd + i], 0f, "row " + r + " at " + i);
                        }
                    }
                    assertEquals(9f, scalar[3], 0f, "nothing before the destination");
                }
            }
        }
    }

    /** Row (c, i, j), column (oy, ox) = x[c][oy·s − pad + i][ox·s − pad + j], 0 off the map. */
    private static float[] unfold(float[] x, int xOff, int[] g, int oh, int ow) {
        int c = g[0], h = g[1], w = g[2], kh = g[3], kw = g[4], s = g[5], pad = g[6];
        float[] col = new float[c * kh * kw * oh * ow];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    for (int oy = 0; oy < oh; oy++) {
                        for (int ox = 0; ox < ow; ox++) {
                            int iy = oy * s - pad + i, ix = ox * s - pad + j;
                            boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                            col[((ch * kh + i) * kw + j) * oh * ow + oy * ow + ox] =
                                    inside ? x[xOff + (ch * h + iy) * w + ix] : 0f;
                        }
                    }
                }
            }
        }
        return col;
    }

    /** The transpose of {@link #unfold}: every column entry added to the input pixel it came from. */
    private static float[] fold(float[] dcol, int colOff, int ld, int[] g, int oh, int ow) {
        int c = g[0], h = g[1], w = g[2], kh = g[3], kw = g[4], s = g[5], pad = g[6];
        float[] dx = new float[c * h * w];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    for (int oy = 0; oy < oh; oy++) {
                        for (int ox = 0; ox < ow; ox++) {
                            int iy = oy * s - pad + i, ix = ox * s - pad + j;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                int row = (ch * kh + i) * kw + j;
                                dx[(ch * h + iy) * w + ix] += dcol[row * ld + colOff + oy * ow + ox];
                            }
                        }
                    }
                }
            }
        }
        return dx;
    }

    private static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextFloat() * 2 - 1;
        }
        return a;
    }
}
