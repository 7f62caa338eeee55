package dev.googlenet.explain;

import dev.googlenet.tensor.Tensor;

import java.util.ArrayDeque;

/**
 * Weakly supervised localization as in the CAM paper (Zhou et al. 2016, §3): keep the pixels of a heat map above
 * 20% of its maximum, take the largest connected region of them (8-connected, as contour tracing finds it) and
 * report the box around it.
 */
public final class Localization {
    /** The CAM paper's threshold: 20% of the map's maximum. */
    public static final double THRESHOLD = 0.2;

    private Localization() {
    }

    /** A box in pixels, {@code x0, y0} inclusive and {@code x1, y1} exclusive; {@code area} pixels of its region. */
    public record Box(int x0, int y0, int x1, int y1, int area) {
        public int width() {
            return x1 - x0;
        }

        public int height() {
            return y1 - y0;
        }
    }

    /** {@link #box(Tensor, int, double)} at {@link #THRESHOLD}. */
    public static Box box(Tensor maps, int image) {
        return box(maps, image, THRESHOLD);
    }

    /**
     * The box around the largest 8-connected region of pixels of map {@code image} of {@code maps [N, h, w]} whose
     * value exceeds {@code threshold} × the map's maximum; ties go to the region found first in row-major order.
     * A map with no positive maximum has no region: null.
     */
    public static Box box(Tensor maps, int image, double threshold) {
        if (maps.rank() != 3 || image < 0 || image >= maps.dim(0)) {
            throw new IllegalArgumentException("localization needs maps [N,h,w] and an image index in range");
        }
        int h = maps.dim(1), w = maps.dim(2), off = image * h * w;
        float[] m = maps.data();
        double max = Double.NEGATIVE_INFINITY;
        for (int p = 0; p < h * w; p++) {
            max = Math.max(max, m[off + p]);
        }
        if (!(max > 0)) {
            return null;
        }
        double cut = threshold * max;
        boolean[] seen = new boolean[h * w];
        Box best = null;
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int start = 0; start < h * w; start++) {
            if (seen[start] || !(m[off + start] > cut)) {
                continue;
            }
            int x0 = w, y0 = h, x1 = 0, y1 = 0, area = 0;
            seen[start] = true;
            queue.add(start);
            while (!queue.isEmpty()) {
                int p = queue.poll(), y = p / w, x = p % w;
                area++;
                x0 = Math.min(x0, x);
                y0 = Math.min(y0, y);
                x1 = Math.max(x1, x + 1);
                y1 = Math.max(y1, y + 1);
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int ny = y + dy, nx = x + dx, q = ny * w + nx;
                        if (ny >= 0 && ny < h && nx >= 0 && nx < w && !seen[q] && m[off + q] > cut) {
                            seen[q] = true;
                            queue.add(q);
                        }
                    }
                }
            }
            if (best == null || area > best.area()) {
                best = new Box(x0, y0, x1, y1, area);
            }
        }
        return best;
    }
}
