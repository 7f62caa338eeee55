package dev.googlenet.kernels;

import dev.googlenet.testing.ThreadPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The 3×3 weight gradient by F(2×2, 3×3) and F(4×4, 3×3) ({@link VectorWinogradWeightGradient}) against the plain
 * definition: odd maps (tiles overhanging the right and bottom edges), channel counts that are not whole vectors,
 * one image per group and many (the default group size and a tiny one), one and two threads, and added to what the
 * gradient already holds.
 */
class WinogradWeightGradientTest {
    @RegisterExtension
    static final ThreadPools POOLS = new ThreadPools();

    @ParameterizedTest(name = "F({5}) n={0} cin={1} cout={2} map={3}x{4}")
    @CsvSource({
            "1, 3, 5, 7, 7, 2",
            "1, 3, 5, 7, 7, 4",
            "3, 17, 4, 13, 11, 2",
            "3, 17, 4, 13, 11, 4",
            "2, 5, 33, 28, 28, 2",    // F(2): one image per group (196 tiles each); 33 outputs: three vector widths
            "9, 5, 33, 28, 28, 4",    // F(4): 49 tiles per image, several groups per thread
            "40, 6, 18, 4, 4, 2",     // many images per group, several groups per thread
            "40, 6, 18, 4, 4, 4",     // one tile per image
            "4, 2, 3, 1, 6, 2",       // a 1×N map
            "4, 2, 3, 1, 6, 4",
            "2, 70, 9, 5, 3, 2",
            "2, 70, 9, 5, 3, 4"})
    void matchesTheDefinition(int n, int cin, int cout, int h, int w, int m) {
        Random rnd = new Random(n * 1000L + cin * 37L + cout + h * 7L + w);
        float[] x = random(rnd, n * cin * h * w);
        float[] dy = random(rnd, n * cout * h * w);
        float[] before = random(rnd, cout * cin * 9);
        float[] want = before.clone();
        WinogradWeightGradient.reference(x, dy, n, cin, cout, h, w, want);
        // |dw| grows like √(n·h·w) for these random values
        double tol = (m == 2 ? 2e-5 : 1e-4) * Math.sqrt((double) n * h * w);
        float[] once = null;
        // one thread, two threads, and two threads with image groups of a single image (7 tiles' worth at most)
        int[][] runs = {{1, VectorWinogradWeightGradient.GROUP_TILES}, {2, VectorWinogradWeightGradient.GROUP_TILES},
                {2, 7}};
        for (int[] run : runs) {
            Parallel pool = run[0] == 1 ? POOLS.one() : POOLS.two();
            String what = run[0] + " thread(s), groups of " + run[1] + " tiles";
            float[] got = before.clone();
            VectorWinogradWeightGradient wg = new VectorWinogradWeightGradient(run[1]);
            wg.accumulate(pool, new VectorGemm(pool), x, dy, n, cin, cout, h, w, m, got);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], tol, what + ", at " + i);
            }
            // a second call adds the same again (its buffers are reused, not stale), bit for bit the same sum
            float[] again = got.clone();
            wg.accumulate(pool, new VectorGemm(pool), x, dy, n, cin, cout, h, w, m, again);
            for (int i = 0; i < want.length; i++) {
                assertEquals(got[i] - before[i], again[i] - got[i], 2 * tol, what + ", second call, at " + i);
            }
            if (once == null) {
                once = got;
            } else if (n == 1) {
                assertArrayEquals(once, got, "one image: the same sums whatever the threads (" + what + ")");
            }
        }
    }

    @Test
    void rejectsATileOtherThanTwoOrFourAndShortArrays() {
        WinogradWeightGradient wg = new WinogradWeightGradient();
        float[] x = new float[2 * 3 * 4 * 4], dy = new float[2 * 5 * 4 * 4], dw = new float[5 * 3 * 9];
        Gemm gemm = new ScalarGemm();
        IllegalArgumentException tile = assertThrows(IllegalArgumentException.class,
                () -> wg.accumulate(POOLS.one(), gemm, x, dy, 2, 3, 5, 4, 4, 3, dw));
        assertEquals("WinogradWeightGradient: tile 3 (2 or 4)", tile.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> wg.accumulate(POOLS.one(), gemm, x, dy, 3, 3, 5, 4, 4, 2, dw)); // 3 images in arrays for 2
        assertThrows(IllegalArgumentException.class,
                () -> new VectorWinogradWeightGradient(0));
    }

    private static float[] random(Random rnd, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = rnd.nextFloat() * 2 - 1;
        }
        return a;
    }
}
