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
        if (width == img.width() && height == img.height()) {
            return new RgbImage(width, height, img.rgb().clone());
        }
        Coefficients vertical = Coefficients.bilinear(img.height(), height);
        RgbImage src = img;
        if (width != img.width()) {
            // only the source rows the vertical pass will read
            int first = vertical.start[0];
            int last = vertical.start[height - 1] + vertical.count[height - 1];
            src = horizontal(img, Coefficients.bilinear(img.width(), width), first, last - first);
            for (int i = 0; i < height; i++) {
                vertical.start[i] -= first;
            }
        }
        return height != img.height() ? vertical(src, vertical) : src;
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

    /** Horizontal pass over source rows {@code firstRow .. firstRow + rows − 1}. */
    private static RgbImage horizontal(RgbImage in, Coefficients co, int firstRow, int rows) {
        int inW = in.width();
        int outW = co.start.length;
        byte[] src = in.rgb();
        byte[] dst = new byte[outW * rows * 3];
        int half = 1 << (PRECISION_BITS - 1);
        for (int y = 0; y < rows; y++) {
            int rowIn = (firstRow + y) * inW * 3;
            int rowOut = y * outW * 3;
            for (int xx = 0; xx < outW; xx++) {
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
                int o = rowOut + xx * 3;
                dst[o] = (byte) clip8(s0);
                dst[o + 1] = (byte) clip8(s1);
                dst[o + 2] = (byte) clip8(s2);
            }
        }
        return new RgbImage(outW, rows, dst);
    }

    private static RgbImage vertical(RgbImage in, Coefficients co) {
        int w = in.width();
        int outH = co.start.length;
        int stride = w * 3;
        byte[] src = in.rgb();
        byte[] dst = new byte[stride * outH];
        int half = 1 << (PRECISION_BITS - 1);
        int[] acc = new int[stride];
        for (int yy = 0; yy < outH; yy++) {
            java.util.Arrays.fill(acc, half);
            int k0 = yy * co.ksize;
            for (int y = 0, n = co.count[yy]; y < n; y++) {
                int k = co.weights[k0 + y];
                int row = (co.start[yy] + y) * stride;
                for (int i = 0; i < stride; i++) {
                    acc[i] += (src[row + i] & 0xFF) * k;
                }
            }
            int o = yy * stride;
            for (int i = 0; i < stride; i++) {
                dst[o + i] = (byte) clip8(acc[i]);
            }
        }
        return new RgbImage(w, outH, dst);
    }
}
