package dev.googlenet.explain;

import dev.googlenet.model.GoogLeNet;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * DeepDream as Google's notebook ({@code deepdream.ipynb}, 2015) runs it on the BVLC GoogLeNet, step for step:
 * <ul>
 * <li>{@code make_step}: roll the image by a random jitter (ox, oy) ∈ [−32, 32]², forward to the layer, set the
 *     layer's gradient to the objective's (½‖A‖²: A itself), backward to the image, add
 *     {@code step_size / mean|g| · g}, roll back, clip the pixels to their valid range;</li>
 * <li>{@code deepdream}: octave bases made by zooming the image down by 1/1.4 three times (linear, scipy's
 *     {@code nd.zoom(order=1)}), smallest first; at each octave the detail gained so far is zoomed up to its size
 *     and added to its base, 10 steps run, and the new detail is what the steps added.</li>
 * </ul>
 * The notebook works in Caffe's pixels: 0–255, mean subtracted. Here the image lives in 0–255 pixels in the model's
 * channel order too, whatever the model's preprocessing: {@link PixelSpace} maps them to its input, the gradient
 * is taken with respect to the pixels, so step size 1.5 means what it means in the notebook, and pixels are clipped
 * to 0–255. The one source of randomness is the jitter, drawn from {@code new SplittableRandom(seed)}: one seed,
 * one image, bit for bit.
 * <p>
 * The optional guide is the notebook's {@code objective_guide}: the gradient at each position is the guide's
 * feature vector with the largest dot product with the image's feature vector there.
 * <p>
 * Runs the definition forward and backward: use the model from one thread at a time.
 */
public final class DeepDream {
    private DeepDream() {
    }

    /** The notebook's defaults: {@code inception_4c/output}, 4 octaves × 10 steps, scale 1.4, step 1.5, jitter 32. */
    public record Settings(String layer, int octaves, int steps, double octaveScale, double stepSize, int jitter,
                           long seed) {
        public static final Settings DEFAULT = new Settings("inception4c", 4, 10, 1.4, 1.5, 32, 0);

        public Settings {
            Objects.requireNonNull(layer, "layer");
            if (octaves < 1 || steps < 0 || !(octaveScale > 1) || !(stepSize > 0) || jitter < 0) {
                throw new IllegalArgumentException("need octaves ≥ 1, steps ≥ 0, octave scale > 1, step size > 0 and "
                        + "jitter ≥ 0; got " + octaves + ", " + steps + ", " + octaveScale + ", " + stepSize + ", "
                        + jitter);
            }
        }

        public Settings with(String l, int o, int s, long sd) {
            return new Settings(l, o, s, octaveScale, stepSize, jitter, sd);
        }
    }

    /**
     * The model's input as an affine function of 0–255 pixels, channel by channel: x = p·unit[c] + offset[c]
     * (torchvision: unit = 1/(255·std), offset = −mean/std; Caffe: unit 1, offset −mean).
     */
    public record PixelSpace(float[] unit, float[] offset) {
        public static final float MAX_PIXEL = 255f;

        public PixelSpace {
            if (unit.length != offset.length || unit.length == 0) {
                throw new IllegalArgumentException("one unit and one offset per channel");
            }
            unit = unit.clone();
            offset = offset.clone();
        }

        /** The model input for pixels [1, C, h, w]. */
        Tensor input(Tensor pixels) {
            Tensor x = Tensor.zerosLike(pixels);
            int hw = pixels.dim(2) * pixels.dim(3);
            for (int i = 0; i < pixels.size(); i++) {
                int c = i / hw;
                x.data()[i] = pixels.data()[i] * unit[c] + offset[c];
            }
            return x;
        }
    }

    /** Called after each step (octave 0 is the smallest), for a progress bar. */
    public interface Progress {
        void step(int octave, int step);
    }

    /**
     * The dream of {@code pixels [1, C, H, W]} (0–255, model channel order); null {@code guide} for the plain
     * objective, else the guide image's pixels (any size). Returns new pixels, 0–255.
     */
    public static Tensor dream(GoogLeNet model, PixelSpace space, Tensor pixels, Tensor guide, Settings s,
                               Progress progress) {
        requirePixels(pixels, space, "image");
        Tensor guideFeatures = null;
        if (guide != null) {
            requirePixels(guide, space, "guide");
            guideFeatures = model.forwardStages(space.input(guide), null, s.layer(), null);
        }
        Tensor[] octaves = new Tensor[s.octaves()];
        octaves[0] = pixels.copy();
        for (int i = 1; i < octaves.length; i++) {
            Tensor prev = octaves[i - 1];
            octaves[i] = zoom(prev, (int) Math.rint(prev.dim(2) / s.octaveScale()),
                    (int) Math.rint(prev.dim(3) / s.octaveScale()));
        }
        SplittableRandom random = new SplittableRandom(s.seed());
        Tensor detail = Tensor.zerosLike(octaves[octaves.length - 1]);
        Tensor src = null;
        for (int o = 0; o < octaves.length; o++) {
            Tensor base = octaves[octaves.length - 1 - o];
            int h = base.dim(2), w = base.dim(3);
            if (o > 0) {
                detail = zoom(detail, h, w);
            }
            src = base.copy();
            add(src.data(), detail.data(), 1);
            for (int i = 0; i < s.steps(); i++) {
                // np.random.randint(-jitter, jitter + 1, 2): ox first, then oy
                int ox = random.nextInt(-s.jitter(), s.jitter() + 1);
                int oy = random.nextInt(-s.jitter(), s.jitter() + 1);
                step(model, space, src, s.layer(), s.stepSize(), ox, oy, guideFeatures);
                if (progress != null) {
                    progress.step(o, i);
                }
            }
            detail = src.copy();
            add(detail.data(), base.data(), -1);
        }
        return src;
    }

    /**
     * One {@code make_step} on {@code pixels} in place: roll by (ox, oy), ascend the objective at {@code layer}
     * by {@code stepSize / mean|g| · g} (g its gradient with respect to the pixels), roll back, clip to 0–255.
     */
    static void step(GoogLeNet model, PixelSpace space, Tensor pixels, String layer, double stepSize, int ox, int oy,
                     Tensor guideFeatures) {
        Tensor rolled = roll(pixels, ox, oy);
        Tensor a = model.forwardStages(space.input(rolled), null, layer, null);
        Tensor gx = model.backward(guideFeatures == null ? a : guideObjective(a, guideFeatures));
        int hw = pixels.dim(2) * pixels.dim(3);
        float[] g = gx.data();
        double sumAbs = 0;
        for (int i = 0; i < g.length; i++) {
            g[i] *= space.unit()[i / hw]; // ∂/∂pixel = ∂/∂x · unit
            sumAbs += Math.abs(g[i]);
        }
        double scale = stepSize / (sumAbs / g.length);
        float[] r = rolled.data();
        for (int i = 0; i < r.length; i++) {
            r[i] += (float) (scale * g[i]);
        }
        Tensor back = roll(rolled, -ox, -oy);
        float[] p = pixels.data();
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.min(PixelSpace.MAX_PIXEL, Math.max(0f, back.data()[i]));
        }
        pixels.markChanged();
    }

    /** The notebook's {@code objective_guide}: at each position, the guide's best-matching feature vector. */
    static Tensor guideObjective(Tensor a, Tensor guide) {
        int ch = a.dim(1), n = a.dim(2) * a.dim(3), m = guide.dim(2) * guide.dim(3);
        if (guide.dim(1) != ch) {
            throw new IllegalArgumentException("guide features have " + guide.dim(1) + " channels, not " + ch);
        }
        float[] x = a.data(), y = guide.data();
        Tensor out = Tensor.zerosLike(a);
        for (int i = 0; i < n; i++) {
            int best = 0;
            double bestDot = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < m; j++) {
                double dot = 0;
                for (int c = 0; c < ch; c++) {
                    dot += (double) x[c * n + i] * y[c * m + j];
                }
                if (dot > bestDot) { // argmax: the first of equals
                    bestDot = dot;
                    best = j;
                }
            }
            for (int c = 0; c < ch; c++) {
                out.data()[c * n + i] = y[c * m + best];
            }
        }
        return out;
    }

    /** np.roll along width by ox and height by oy: out[y][x] = in[(y − oy) mod h][(x − ox) mod w]. */
    static Tensor roll(Tensor t, int ox, int oy) {
        int ch = t.dim(1), h = t.dim(2), w = t.dim(3);
        float[] in = t.data(), out = new float[in.length];
        for (int c = 0; c < ch; c++) {
            for (int y = 0; y < h; y++) {
                int sy = Math.floorMod(y - oy, h);
                for (int x = 0; x < w; x++) {
                    out[(c * h + y) * w + x] = in[(c * h + sy) * w + Math.floorMod(x - ox, w)];
                }
            }
        }
        return Tensor.of(out, t.shape());
    }

    /**
     * scipy's {@code nd.zoom(…, order=1)} of each channel to {@code oh × ow}: linear interpolation with the corners
     * aligned (output pixel d reads input coordinate d·(in − 1)/(out − 1)).
     */
    static Tensor zoom(Tensor t, int oh, int ow) {
        int ch = t.dim(1), h = t.dim(2), w = t.dim(3);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("cannot zoom a " + h + "×" + w + " image to " + oh + "×" + ow);
        }
        float[] in = t.data(), out = new float[ch * oh * ow];
        for (int c = 0; c < ch; c++) {
            for (int y = 0; y < oh; y++) {
                double sy = oh == 1 ? 0 : y * (double) (h - 1) / (oh - 1);
                int y0 = Math.min((int) sy, h - 1), y1 = Math.min(y0 + 1, h - 1);
                double fy = sy - y0;
                for (int x = 0; x < ow; x++) {
                    double sx = ow == 1 ? 0 : x * (double) (w - 1) / (ow - 1);
                    int x0 = Math.min((int) sx, w - 1), x1 = Math.min(x0 + 1, w - 1);
                    double fx = sx - x0;
                    int r0 = (c * h + y0) * w, r1 = (c * h + y1) * w;
                    double top = (1 - fx) * in[r0 + x0] + fx * in[r0 + x1];
                    double bottom = (1 - fx) * in[r1 + x0] + fx * in[r1 + x1];
                    out[(c * oh + y) * ow + x] = (float) ((1 - fy) * top + fy * bottom);
                }
            }
        }
        return Tensor.of(out, 1, ch, oh, ow);
    }

    private static void add(float[] a, float[] b, int sign) {
        for (int i = 0; i < a.length; i++) {
            a[i] += sign * b[i];
        }
    }

    private static void requirePixels(Tensor t, PixelSpace space, String what) {
        if (t.rank() != 4 || t.dim(0) != 1 || t.dim(1) != space.unit().length) {
            throw new IllegalArgumentException("DeepDream " + what + ": expected pixels [1," + space.unit().length
                    + ",H,W], got " + Shape.toString(t.shape()));
        }
    }
}
