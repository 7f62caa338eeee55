package dev.googlenet.train;

import dev.googlenet.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * One test-time view of a batch of normalized images [N, C, H, W]: shifted by {@code (dy, dx)} pixels (content
 * moves down and right for positive values; uncovered pixels take the value of a black pixel, as the zero padding
 * of training's random crop does), then mirrored left to right if asked. The paper tests on several crops per
 * image and averages their softmax outputs; for small images trained with crop-and-pad the analogue is
 * {@link #tenCrop}.
 */
public record TestView(int dy, int dx, boolean mirror) {
    public static final TestView IDENTITY = new TestView(0, 0, false);

    /** The image and its mirror image. */
    public static List<TestView> mirrored() {
        return List.of(IDENTITY, new TestView(0, 0, true));
    }

    /**
     * torchvision's {@code TenCrop(size)} of the image zero-padded by {@code padding} on every side: the center
     * crop (the image itself) and the four corner crops (the image shifted by {@code padding} both ways), each
     * also mirrored. The identity comes first.
     */
    public static List<TestView> tenCrop(int padding) {
        if (padding < 1) {
            throw new IllegalArgumentException("ten crops need a padding of at least 1 pixel, got " + padding);
        }
        int p = padding;
        List<TestView> views = new ArrayList<>();
        for (boolean mirror : new boolean[] {false, true}) {
            views.add(new TestView(0, 0, mirror));
            views.add(new TestView(p, p, mirror));
            views.add(new TestView(p, -p, mirror));
            views.add(new TestView(-p, p, mirror));
            views.add(new TestView(-p, -p, mirror));
        }
        return List.copyOf(views);
    }

    public boolean isIdentity() {
        return dy == 0 && dx == 0 && !mirror;
    }

    /**
     * This view of {@code x} (a new tensor; {@code x} itself for the identity). {@code blank[c]} is channel c's
     * normalized value of a black pixel, {@code (0 − mean) / std}.
     */
    public Tensor apply(Tensor x, float[] blank) {
        if (isIdentity()) {
            return x;
        }
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        if ((dy != 0 || dx != 0) && blank.length != c) {
            throw new IllegalArgumentException("need one blank value per channel (" + c + "), got " + blank.length);
        }
        Tensor y = Tensor.zeros(x.shape());
        float[] s = x.data(), d = y.data();
        for (int plane = 0; plane < n * c; plane++) {
            int off = plane * h * w;
            float fill = blank.length == c ? blank[plane % c] : 0f; // used only when shifted (checked above)
            for (int oy = 0; oy < h; oy++) {
                int sy = oy - dy;
                for (int ox = 0; ox < w; ox++) {
                    int col = mirror ? w - 1 - ox : ox; // the mirror of the shifted image
                    int sx = col - dx;
                    d[off + oy * w + ox] = sy < 0 || sy >= h || sx < 0 || sx >= w ? fill : s[off + sy * w + sx];
                }
            }
        }
        return y;
    }
}
