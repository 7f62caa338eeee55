package dev.googlenet.explain;

import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.Variant;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.GradCheck;
import dev.googlenet.testing.SmallModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DeepDream against the notebook's formulas, on a small one-channel GoogLeNet. */
class DeepDreamTest {
    /** A torchvision-like pixel space for one channel: x = (p/255 − 0.45) / 0.225. */
    private static final DeepDream.PixelSpace SPACE =
            new DeepDream.PixelSpace(new float[] {1f / 255 / 0.225f}, new float[] {-0.45f / 0.225f});
    private static GoogLeNet model;

    @BeforeAll
    static void setUp() {
        model = SmallModels.calibrated(Variant.TORCHVISION, 10, 31);
    }

    private static Tensor pixels(long seed, int h, int w) {
        Random r = new Random(seed);
        float[] p = new float[h * w];
        for (int i = 0; i < p.length; i++) {
            p[i] = 255 * r.nextFloat();
        }
        return Tensor.of(p, 1, 1, h, w);
    }

    /**
     * make_step written out: shifted = roll(p, ox, oy); g = ∂(½‖A(x(shifted))‖²)/∂shifted, i.e. the backward of A
     * itself times dx/dp; shifted += 1.5 / mean|g| · g; p' = clip(roll(shifted, −ox, −oy), 0, 255).
     */
    @Test
    void oneStepIsTheNotebooksFormula() {
        int h = 32, w = 36, ox = 5, oy = -3;
        Tensor p = pixels(1, h, w);
        // a few pixels at the edges of the range, so that clipping has something to do
        p.data()[0] = 255;
        p.data()[1] = 0;
        Tensor expected = p.copy();
        float[] shifted = new float[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                shifted[y * w + x] = p.data()[Math.floorMod(y - oy, h) * w + Math.floorMod(x - ox, w)];
            }
        }
        float unit = SPACE.unit()[0], offset = SPACE.offset()[0];
        float[] in = new float[h * w];
        for (int i = 0; i < in.length; i++) {
            in[i] = shifted[i] * unit + offset;
        }
        Tensor a = model.forwardStages(Tensor.of(in, 1, 1, h, w), null, "inception4c", null);
        float[] g = model.backward(a).data();
        double meanAbs = 0;
        for (int i = 0; i < g.length; i++) {
            g[i] *= unit;
            meanAbs += Math.abs(g[i]) / g.length;
        }
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] += (float) (1.5 / meanAbs * g[i]);
        }
        int clipped = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float v = shifted[Math.floorMod(y + oy, h) * w + Math.floorMod(x + ox, w)];
                expected.data()[y * w + x] = Math.min(255, Math.max(0, v));
                clipped += v < 0 || v > 255 ? 1 : 0;
            }
        }
        assertTrue(clipped > 0, "the step pushes some pixels out of range");
        DeepDream.step(model, SPACE, p, "inception4c", 1.5, ox, oy, null);
        assertArrayEquals(expected.data(), p.data(), 1e-3f);
        assertFalse(Arrays.equals(pixels(1, h, w).data(), p.data()), "the step changed the image");
    }

    /**
     * The gradient the step ascends is that of ½‖A‖² with respect to the pixels: along it (the largest pixel moved
     * by 1 and by 3, of 255) the objective's change matches ∫ g · d over the segment (16 gradients).
     */
    @Test
    void theAscentDirectionIsTheObjectivesGradient() {
        Tensor p = pixels(2, 30, 30);
        Tensor g = pixelGradient(p);
        for (double move : new double[] {1, 3}) {
            Tensor d = GradCheck.along(Tensor.zeros(1, 1, 30, 30), g, move / ExplainerTest.maxAbs(g));
            double err = GradCheck.pathError(p, d, DeepDreamTest::objective, DeepDreamTest::pixelGradient, 16);
            System.out.printf("FD DeepDream objective gradient, pixels moved ≤ %.0f: path relative error %.2e%n", move, err);
            assertTrue(err < 3e-3, "relative error " + err);
        }
    }

    private static double objective(Tensor p) {
        Tensor a = model.forwardStages(SPACE.input(p), null, "inception4c", null);
        double s = 0;
        for (float v : a.data()) {
            s += 0.5 * v * v;
        }
        return s;
    }

    /** ∂(½‖A‖²)/∂pixels: the backward of A itself, times dx/dp. */
    private static Tensor pixelGradient(Tensor p) {
        Tensor a = model.forwardStages(SPACE.input(p), null, "inception4c", null);
        Tensor g = model.backward(a);
        for (int i = 0; i < g.size(); i++) {
            g.data()[i] *= SPACE.unit()[0];
        }
        return g;
    }

    @Test
    void theSameSeedGivesTheSameImageBitForBit() {
        DeepDream.Settings s = new DeepDream.Settings("inception4c", 2, 2, 1.4, 1.5, 4, 7);
        Tensor image = pixels(3, 40, 44);
        Tensor first = DeepDream.dream(model, SPACE, image, null, s, null);
        Tensor again = DeepDream.dream(model, SPACE, image, null, s, null);
        assertArrayEquals(first.data(), again.data());
        assertArrayEquals(image.shape(), first.shape());
        Tensor other = DeepDream.dream(model, SPACE, image, null, s.with("inception4c", 2, 2, 8), null);
        assertFalse(Arrays.equals(first.data(), other.data()), "another seed, other jitter, another image");
        for (float v : first.data()) {
            assertTrue(v >= 0 && v <= 255);
        }
        Tensor guided = DeepDream.dream(model, SPACE, image, pixels(9, 30, 30), s, null);
        assertFalse(Arrays.equals(first.data(), guided.data()), "a guide changes the objective");
    }

    /** scipy.ndimage.zoom(a, (1, 1/1.4, 1/1.4), order=1) and to 5×7, a = arange(12).reshape(1,3,4) ** 1.5. */
    @Test
    void zoomIsScipysLinearZoom() {
        float[] a = new float[12];
        for (int i = 0; i < 12; i++) {
            a[i] = (float) Math.pow(i, 1.5);
        }
        Tensor t = Tensor.of(a, 1, 1, 3, 4);
        assertArrayEquals(new float[] {0f, 1.9142135f, 5.1961527f, 22.627417f, 29.311388f, 36.482872f},
                DeepDream.zoom(t, 2, 3).data(), 1e-5f);
        float[] z = DeepDream.zoom(t, 5, 7).data();
        assertArrayEquals(new float[] {4.0f, 5.045085f, 6.09017f, 7.4264264f, 8.762683f, 10.310444f, 11.858206f},
                Arrays.copyOfRange(z, 7, 14), 1e-5f);
        assertArrayEquals(new float[] {15.313708f, 17.201939f, 19.09017f, 21.125013f, 23.159857f, 25.330711f,
                27.501564f}, Arrays.copyOfRange(z, 21, 28), 1e-5f);
    }

    /** The guide objective picks, at each position, the guide's vector with the largest dot product. */
    @Test
    void theGuideObjectiveSelectsTheBestMatchingGuideVector() {
        // two channels; the image has positions (1,0) and (0,-1); the guide has (1,1), (-1,0) and (0,-2)
        Tensor a = Tensor.of(new float[] {1, 0, /* channel 1 */ 0, -1}, 1, 2, 1, 2);
        Tensor guide = Tensor.of(new float[] {1, -1, 0, /* channel 1 */ 1, 0, -2}, 1, 2, 1, 3);
        // position 0: dots 1, −1, 0 → (1,1); position 1: dots −1, 0, 2 → (0,−2)
        assertArrayEquals(new float[] {1, 0, 1, -2}, DeepDream.guideObjective(a, guide).data());
    }
}
