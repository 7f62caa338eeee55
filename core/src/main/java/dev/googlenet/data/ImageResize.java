package dev.googlenet.data;

/**
 * Resizing as torchvision's {@code Resize} does it on Pillow images: Pillow's {@code BILINEAR} resample, which
 * antialiases (the triangle filter's support grows with the downscale factor), computed exactly as Pillow's
 * {@code ImagingResample} computes 8-bit images: separable, horizontal pass then vertical pass, coefficients per
 * output pixel ({@code precompute_coeffs}) turned into fixed point with {@value #PRECISION_BITS} fractional bits,
 * and each pass rounded and clipped to 8 bits. A dimension whose size does not change is not resampled.
 */
public final class ImageResize {
    /** Pillow's fixed-point precision for 8-bit resampling: {@code 32 − 8 − 2}. */
    public static final int PRECISION_BITS = 32 - 8 - 2;

    private ImageResize() {
    }

    /**
     * The size torchvision's {@code Resize(shorter)} gives a {@code width × height} image: the shorter side
     * becomes {@code shorter}, the longer {@code int(shorter * long / short)} (truncated). Returns {width, height}.
     */
    public static int[] shorterSideSize(int width, int height, int shorter) {
        if (width <= 0 || height <= 0 || shorter <= 0) {
            throw new IllegalArgumentException("sizes must be positive, got " + width + "x" + height + " → " + shorter);
        }
        int shortSide = Math.min(width, height);
        int longSide = Math.max(width, height);
        int newLong = (int) ((double) ((long) shorter * longSide) / shortSide);
        return width <= height ? new int[] {shorter, newLong} : new int[] {newLong, shorter};
    }

    /** torchvision's {@code Resize(shorter)}: shorter side to {@code shorter}, aspect ratio kept. */
    public static RgbImage resizeShorterSide(RgbImage img, int shorter) {
        int[] size = shorterSideSize(img.width(), img.height(), shorter);
        return resize(img, size[0], size[1]);
    }

    /** Pillow's {@code img.resize((width, height), Image.BILINEAR)}. */
    public static RgbImage resize(RgbImage img, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + width + "x" + height);
        }
        return resize(img, width, height, new Crops.Box(0, 0, width, height));
    }

    /**
     * The {@code box} of {@code img.resize((width, height), Image.BILINEAR)}, byte for byte, computing only the
     * box: every output pixel is a weighted sum of its own input pixels, so the pixels a crop throws away (40% of
     * a 4:3 photo's resize for a center crop) need not be made.
     */
    public static RgbImage resize(RgbImage img, int width, int height, Crops.Box box) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + width + "x" + height);
        }
        if (box.left() + box.width() > width || box.top() + box.height() > height) {
            throw new IllegalArgumentException("box " + box + " is not inside the " + width + "x" + height
                    + " image");
        }
        boolean resizeX = width != img.width();
        boolean resizeY = height != img.height();
        int rows = resizeY ? 0 : box.height();
        Coefficients vertical = null;
        int firstRow = box.top();
        if (resizeY) {
            vertical = Coefficients.bilinear(img.height(), height);
            // only the source rows the vertical pass will read for the box's rows
            int lastOut = box.top() + box.height() - 1;
            firstRow = vertical.start[box.top()];
            rows = vertical.start[lastOut] + vertical.count[lastOut] - firstRow;
        }
        RgbImage src = resizeX
                ? horizontal(img, Coefficients.bilinear(img.width(), width), box.left(), box.width(), firstRow, rows)
                : img.crop(box.left(), firstRow, box.width(), rows);
        return resizeY ? vertical(src, vertical, box.top(), box.height(), firstRow) : src;
    }

    /**
     * Pillow's {@code precompute_coeffs} for the bilinear filter over the whole input (box 0..inSize), then
     * {@code normalize_coeffs_8bpc}: for each output pixel the first input index, the number of inputs, and
     * the fixed-point weights ({@code ksize} slots per output pixel).
     */
    static final class Coefficients {
        final int ksize;
        final int[] start;
        final int[] count;
        final int[] weights;

        private Coefficients(int ksize, int[] start, int[] count, int[] weights) {
            this.ksize = ksize;
            this.start = start;
            this.count = count;
            this.weights = weights;
        }

        static Coefficients bilinear(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = 1.0 * filterScale; // BILINEAR's support is 1
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[outSize];
            int[] count = new int[outSize];
            int[] weights = new int[Math.multiplyExact(outSize, ksize)];
            double[] k = new double[ksize];
            double ss = 1.0 / filterScale;
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                int xmin = Math.max(0, (int) (center - support + 0.5));
                int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
                double ww = 0.0;
                for (int x = 0; x < xmax; x++) {
                    double w = triangle((x + xmin - center + 0.5) * ss);
                    k[x] = w;
                    ww += w;
                }
                for (int x = 0; x < xmax; x++) {
                    double w = ww != 0.0 ? k[x] / ww : k[x];
                    weights[xx * ksize + x] = w < 0 ? (int) (-0.5 + w * (1 << PRECISION_BITS))
                            : (int) (0.5 + w * (1 << PRECISION_BITS));
                }
                start[xx] = xmin;
                count[xx] = xmax;
            }
            return new Coefficients(ksize, start, count, weights);
        }

        private static double triangle(double x) {
            x = Math.abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    }

    /** Pillow's {@code clip8}: drop the fraction, clamp to 0–255. */
    private static int clip8(int v) {
        int i = v >> PRECISION_BITS;
        return i < 0 ? 0 : Math.min(i, 255);
    }

    /**
     * Horizontal pass: output columns {@code firstCol .. firstCol + cols − 1} of source rows
     * {@code firstRow .. firstRow + rows − 1}.
     */
    private static RgbImage horizontal(RgbImage in, Coefficients co, int firstCol, int cols, int firstRow, int rows) {
        int inW = in.width();
        byte[] src = in.rgb();
        byte[] dst = new byte[cols * rows * 3];
        int half = 1 << (PRECISION_BITS - 1);
        for (int y = 0; y < rows; y++) {
            int rowIn = (firstRow + y) * inW * 3;
            int o = y * cols * 3;
            for (int xx = firstCol; xx < firstCol + cols; xx++, o += 3) {
                int k0 = xx * co.ksize;
                int p = rowIn + co.start[xx] * 3;
                int s0 = half;
                int s1 = half;
                int s2 = half;
                for (int x = 0, n = co.count[xx]; x < n; x++, p += 3) {
                    int k = co.weights[k0 + x];
                    s0 += (src[p] & 0xFF) * k;
                    s1 += (src[p + 1] & 0xFF) * k;
                    s2 += (src[p + 2] & 0xFF) * k;
                }
                dst[o] = (byte) clip8(s0);
                dst[o + 1] = (byte) clip8(s1);
                dst[o + 2] = (byte) clip8(s2);
            }
        }
        return new RgbImage(cols, rows, dst);
    }

    /** Vertical pass: output rows {@code firstOut .. firstOut + outRows − 1}; {@code in} starts at source row
     * {@code inFirstRow}. */
    private static RgbImage vertical(RgbImage in, Coefficients co, int firstOut, int outRows, int inFirstRow) {
        int w = in.width();
        int stride = w * 3;
        byte[] src = in.rgb();
        byte[] dst = new byte[stride * outRows];
        int half = 1 << (PRECISION_BITS - 1);
        int[] acc = new int[stride];
        for (int yy = 0; yy < outRows; yy++) {
            java.util.Arrays.fill(acc, half);
            int k0 = (firstOut + yy) * co.ksize;
            int start = co.start[firstOut + yy] - inFirstRow;
            for (int y = 0, n = co.count[firstOut + yy]; y < n; y++) {
                int k = co.weights[k0 + y];
                int row = (start + y) * stride;
                for (int i = 0; i < stride; i++) {
                    acc[i] += (src[row + i] & 0xFF) * k;
                }
            }
            int o = yy * stride;
            for (int i = 0; i < stride; i++) {
                dst[o + i] = (byte) clip8(acc[i]);
            }
        }
        return new RgbImage(w, outRows, dst);
    }
}
