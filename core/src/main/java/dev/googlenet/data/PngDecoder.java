package dev.googlenet.data;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A direct decoder for the PNGs uploads nearly always are: not interlaced, 8-bit gray, RGB, palette, gray + alpha
 * or RGBA (1, 2 and 4 bits too for gray and palette). It gives exactly the pixels of {@link ImageDecoder}'s ImageIO
 * path (the JDK's PNGImageReader, then {@code toRgb}) in a fraction of the time: ImageIO copies each row through
 * Raster calls and {@code toRgb} copies the bands again, while here one inflate fills one buffer, the row filters
 * are undone in place and each row is written straight into the {@link RgbImage}.
 *
 * <p>It is only a fast path. {@link #decode} returns null for anything it does not handle or that looks wrong in
 * any way (a bad CRC, a chunk out of place, too little or too much image data, …), and ImageDecoder then takes the
 * ImageIO path, which keeps every error message and odd case. So it must never accept a file ImageIO rejects or
 * reads differently. Two things of ImageIO's need care for that: it parses the ancillary chunks it knows (with
 * metadata on, as ImageDecoder reads) and fails on some malformed ones, so those are accepted here only in shapes
 * it reads cleanly; and it pads short palettes in its own way ({@link #paletteColours}).
 */
final class PngDecoder {
    private static final int IHDR = 0x49484452;
    private static final int PLTE = 0x504c5445;
    private static final int IDAT = 0x49444154;
    private static final int IEND = 0x49454e44;
    private static final int BKGD = 0x624b4744;
    private static final int CHRM = 0x6348524d;
    private static final int GAMA = 0x67414d41;
    private static final int HIST = 0x68495354;
    private static final int ICCP = 0x69434350;
    private static final int ITXT = 0x69545874;
    private static final int PHYS = 0x70485973;
    private static final int SBIT = 0x73424954;
    private static final int SPLT = 0x73504c54;
    private static final int SRGB = 0x73524742;
    private static final int TEXT = 0x74455874;
    private static final int TIME = 0x74494d45;
    private static final int TRNS = 0x74524e53;
    private static final int ZTXT = 0x7a545874;
    private static final int GRAY = 0;
    private static final int RGB = 2;
    private static final int PALETTE = 3;
    private static final int GRAY_ALPHA = 4;
    private static final int RGBA = 6;
    /** The longest Java array that is safe to ask for. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    /** Deflate's largest expansion: a 258-byte match coded in two bits. */
    private static final long MAX_DEFLATE_RATIO = 1032;

    private PngDecoder() {
    }

    /** The IHDR fields that matter here (compression, filter method and interlacing are checked to be 0). */
    record Header(int width, int height, int bitDepth, int colorType) {
        /** Samples per pixel. */
        int channels() {
            return switch (colorType) {
                case RGB -> 3;
                case GRAY_ALPHA -> 2;
                case RGBA -> 4;
                default -> 1;
            };
        }

        /** Bytes of one row, without its filter-type byte. */
        long rowBytes() {
            return ((long) width * channels() * bitDepth + 7) / 8;
        }

        /** How far back the filters look: the bytes of one pixel, rounded up to 1. */
        int filterDistance() {
            return Math.max(1, channels() * bitDepth / 8);
        }
    }

    /**
     * What the chunk walk found: the header, where the first IDAT chunk starts and how many bytes of image data the
     * IDATs hold, and for palette and 1/2/4-bit gray images the RGB of every possible sample value (null for the
     * others, whose samples are their colours).
     */
    private record Layout(Header header, int firstIdat, long idatBytes, byte[] colours) {
    }

    /** The image, or null when this file is not one for the fast path (ImageIO's path then decides). */
    static RgbImage decode(byte[] png) {
        Layout layout = layout(png);
        return layout == null ? null : pixels(png, layout);
    }

    /**
     * Walks the chunks: the signature, IHDR first, PLTE before the image data, consecutive IDATs, IEND as the last
     * bytes of the file, every CRC right. Null when anything is missing, out of place or unknown-and-critical.
     */
    private static Layout layout(byte[] png) {
        if (png.length < 8 || int32(png, 0) != 0x89504E47 || int32(png, 4) != 0x0D0A1A0A) {
            return null;
        }
        CRC32 crc = new CRC32();
        Header header = null;
        byte[] colours = null;
        boolean palette = false;
        int firstIdat = -1;
        long idatBytes = 0;
        boolean idatsEnded = false;
        for (int p = 8; p <= png.length - 12; ) {
            int length = int32(png, p);
            int type = int32(png, p + 4);
            int data = p + 8;
            if (length < 0 || length > png.length - p - 12) {
                return null; // runs past the end of the file
            }
            crc.reset();
            crc.update(png, p + 4, 4 + length);
            if ((int) crc.getValue() != int32(png, data + length)) {
                return null;
            }
            if ((header == null) != (type == IHDR)) {
                return null; // IHDR must come first, and once
            }
            if (firstIdat >= 0 && type != IDAT) {
                idatsEnded = true;
            }
            switch (type) {
                case IHDR -> {
                    header = header(png, data, length);
                    if (header == null) {
                        return null;
                    }
                    if (header.colorType() == GRAY && header.bitDepth() < 8) {
                        colours = grayColours(header.bitDepth());
                    }
                }
                case PLTE -> {
                    if (palette || firstIdat >= 0) {
                        return null;
                    }
                    palette = true;
                    byte[] table = paletteColours(header, png, data, length);
                    if (table == null) {
                        return null;
                    }
                    if (header.colorType() == PALETTE) {
                        colours = table;
                    }
                }
                case IDAT -> {
                    if (idatsEnded || header.colorType() == PALETTE && !palette) {
                        return null;
                    }
                    if (firstIdat < 0) {
                        firstIdat = p;
                    }
                    idatBytes += length;
                }
                case IEND -> {
                    // nothing may follow IEND: extra bytes are data this path does not understand
                    boolean last = length == 0 && data + 4 == png.length;
                    return last && firstIdat >= 0 ? new Layout(header, firstIdat, idatBytes, colours) : null;
                }
                default -> {
                    if (!readsCleanly(header, type, png, data, length, palette)) {
                        return null;
                    }
                }
            }
            p = data + length + 4;
        }
        return null; // no IEND
    }

    /** The IHDR fields when this path handles them and the image is within the pixel limit, else null. */
    private static Header header(byte[] png, int at, int length) {
        if (length != 13) {
            return null;
        }
        int width = int32(png, at);
        int height = int32(png, at + 4);
        int depth = png[at + 8] & 0xFF;
        int type = png[at + 9] & 0xFF;
        boolean handled = switch (type) {
            case GRAY, PALETTE -> depth == 1 || depth == 2 || depth == 4 || depth == 8;
            case RGB, GRAY_ALPHA, RGBA -> depth == 8;
            default -> false;
        };
        // compression method 0 (deflate), filter method 0 (adaptive), interlace 0 (none)
        if (!handled || width <= 0 || height <= 0 || (png[at + 10] | png[at + 11] | png[at + 12]) != 0) {
            return null;
        }
        Header h = new Header(width, height, depth, type);
        long pixels = (long) width * height;
        // over the limit: ImageIO's path gives the message. ImageIO refuses rows of more than 2^31 - 1 bits
        // (Math.multiplyExact in PNGImageReader.decodePass), and its image must fit in an array, up to 4 bytes a
        // pixel (RGBA, or RGB with a tRNS colour key); so must the inflated rows and the RGB here.
        if (pixels > ImageDecoder.maxPixels() || pixels * 4 > MAX_ARRAY
                || (long) width * h.channels() * depth > Integer.MAX_VALUE
                || height * (1 + h.rowBytes()) > MAX_ARRAY) {
            return null;
        }
        return h;
    }

    /** The 1/2/4-bit gray levels scaled to 0–255 (exact: 255 is a multiple of 1, 3 and 15), as RGB. */
    private static byte[] grayColours(int depth) {
        int levels = 1 << depth;
        byte[] rgb = new byte[3 * levels];
        for (int i = 0; i < levels; i++) {
            byte v = (byte) (i * 255 / (levels - 1));
            rgb[3 * i] = v;
            rgb[3 * i + 1] = v;
            rgb[3 * i + 2] = v;
        }
        return rgb;
    }

    /**
     * The RGB of every index (2^depth of them) as ImageIO's IndexColorModel holds it, or null for a PLTE chunk
     * this path does not take (not whole entries, none, more than the bit depth can index, or any in a gray image).
     * An index past the palette is an error by the spec, but ImageIO decodes it: PNGImageReader rounds the entry
     * count up to 2, 4, 16 or 256 with black entries, then repeats the last of those up to 2^depth.
     */
    private static byte[] paletteColours(Header h, byte[] png, int at, int length) {
        int entries = length / 3;
        int indices = h.colorType() == PALETTE ? 1 << h.bitDepth() : 256; // RGB(A): a suggested palette, unused
        if (h.colorType() == GRAY || h.colorType() == GRAY_ALPHA || length % 3 != 0 || entries == 0
                || entries > indices) {
            return null;
        }
        int rounded = entries > 16 ? 256 : entries > 4 ? 16 : entries > 2 ? 4 : 2; // never more than indices
        byte[] rgb = new byte[3 * indices];
        System.arraycopy(png, at, rgb, 0, 3 * entries);
        for (int i = rounded; i < indices; i++) {
            System.arraycopy(rgb, 3 * (rounded - 1), rgb, 3 * i, 3);
        }
        return rgb;
    }

    /**
     * Whether PNGImageReader reads this ancillary chunk without failing and without upsetting its walk (it
     * checks that each parser used exactly the chunk's bytes). Chunks it does not know it stores and skips; the
     * ones it parses must have the lengths its parsers read. Compressed text (zTXt, compressed iTXt) is left to
     * it, since its inflating can fail, and so are the rare hIST and sPLT. A critical chunk this path does not
     * know (first letter upper case) means the file needs a decoder that knows it.
     */
    private static boolean readsCleanly(Header h, int type, byte[] png, int at, int length, boolean palette) {
        int c = h.colorType();
        return switch (type) {
            case BKGD -> length == (c == PALETTE ? 1 : c == GRAY || c == GRAY_ALPHA ? 2 : 6);
            case CHRM -> length == 32;
            case GAMA -> length == 4;
            case PHYS -> length == 9;
            case SRGB -> length == 1;
            case TIME -> length == 7;
            case SBIT -> length == switch (c) {
                case GRAY -> 1;
                case GRAY_ALPHA -> 2;
                case RGBA -> 4;
                default -> 3;
            };
            // any length is read (or skipped with a warning) for gray, RGB and palette after PLTE; with alpha
            // channels PNGImageReader warns and reads none of it, which breaks its walk
            case TRNS -> c == GRAY || c == RGB || c == PALETTE && palette;
            case TEXT -> keywordEnd(png, at, length) >= 0;
            case ICCP -> {
                int k = keywordEnd(png, at, length);
                yield k >= 0 && length - k - 2 > 0;
            }
            case ITXT -> plainInternationalText(png, at, length);
            case ZTXT, HIST, SPLT -> false;
            default -> (type & 0x20000000) != 0; // bit 5 of the first letter: ancillary
        };
    }

    /**
     * The offset in the chunk of the NUL ending its keyword, or -1: PNGImageReader reads at most 80 bytes for it
     * and fails without a NUL among them. A "Creation Time" keyword makes it parse the text as a date; those
     * chunks are left to it.
     */
    private static int keywordEnd(byte[] png, int at, int length) {
        for (int k = 0; k < Math.min(80, length); k++) {
            if (png[at + k] == 0) {
                boolean creationTime = k == 13
                        && new String(png, at, k, StandardCharsets.ISO_8859_1).equals("Creation Time");
                return creationTime ? -1 : k;
            }
        }
        return -1;
    }

    /**
     * An uncompressed iTXt chunk whose four parts are all inside it: keyword NUL, compression flag 0, method,
     * language tag NUL, translated keyword NUL, text (XMP metadata usually comes so).
     */
    private static boolean plainInternationalText(byte[] png, int at, int length) {
        int k = keywordEnd(png, at, length);
        if (k < 0 || k + 3 > length || png[at + k + 1] != 0) {
            return false;
        }
        int nuls = 0;
        for (int i = k + 3; i < length && nuls < 2; i++) {
            if (png[at + i] == 0) {
                nuls++;
            }
        }
        return nuls == 2;
    }

    /** Inflates, un-filters and colours the rows; null when the image data is not exactly right. */
    private static RgbImage pixels(byte[] png, Layout layout) {
        Header h = layout.header();
        int width = h.width();
        int rowBytes = (int) h.rowBytes();
        int stride = 1 + rowBytes; // each row starts with its filter type
        if ((long) h.height() * stride > layout.idatBytes() * MAX_DEFLATE_RATIO + 1024) {
            return null; // cannot inflate to the image: short data, which ImageIO's path reports as such
        }
        byte[] rows = new byte[h.height() * stride]; // bounded by the header's checks
        if (!inflate(png, layout.firstIdat(), rows)) {
            return null;
        }
        byte[] rgb = new byte[width * h.height() * 3];
        byte[] zeros = new byte[stride]; // the filters see a row of zeros above the first
        int distance = h.filterDistance();
        for (int y = 0, at = 0; y < h.height(); y++, at += stride) {
            boolean known = y == 0 ? unfilter(rows, at, zeros, 0, rowBytes, distance)
                    : unfilter(rows, at, rows, at - stride, rowBytes, distance);
            if (!known) {
                return null;
            }
            colour(h, layout.colours(), rows, at + 1, rgb, y * width * 3);
        }
        return new RgbImage(width, h.height(), rgb);
    }

    /**
     * Inflates the zlib stream of the consecutive IDAT chunks from {@code chunk} into exactly {@code out}. False
     * when the stream is corrupt (its Adler-32 included), wants a preset dictionary, ends early, holds more data
     * than {@code out}, or is followed by more bytes or another IDAT.
     */
    private static boolean inflate(byte[] png, int chunk, byte[] out) {
        Inflater inflater = new Inflater();
        try {
            byte[] probe = new byte[1];
            int n = 0;
            while (!inflater.finished()) {
                if (inflater.needsDictionary()) {
                    return false;
                }
                if (inflater.needsInput()) {
                    if (int32(png, chunk + 4) != IDAT) {
                        return false; // the image data ends before the stream does
                    }
                    int length = int32(png, chunk);
                    inflater.setInput(png, chunk + 8, length);
                    chunk += 12 + length;
                    continue;
                }
                boolean full = n == out.length;
                int got = full ? inflater.inflate(probe) : inflater.inflate(out, n, out.length - n);
                if (full && got > 0) {
                    return false; // more data than the image has pixels
                }
                n += got;
                if (got == 0 && !inflater.finished() && !inflater.needsInput() && !inflater.needsDictionary()) {
                    return false; // no progress: never expected from zlib, but never loop on it
                }
            }
            return n == out.length && inflater.getRemaining() == 0 && int32(png, chunk + 4) != IDAT;
        } catch (DataFormatException e) {
            return false;
        } finally {
            inflater.end();
        }
    }

    /**
     * Undoes the filter of the row whose filter-type byte is {@code rows[at]}, in place, given the row above
     * (its filter-type byte at {@code above[up]}, already un-filtered). False for an unknown filter type.
     * Arithmetic is on bytes, wrapping modulo 256, as the spec defines it. The loops read each byte into an int
     * and store the result, as PNGImageReader's do: written as {@code rows[i] += …}, the Average loop ran six
     * times slower on JDK 25 (C2 seems to try to vectorize it, the left neighbour being in the same array).
     */
    private static boolean unfilter(byte[] rows, int at, byte[] above, int up, int n, int distance) {
        int x = at + 1;
        int end = x + n;
        int b = up + 1 - x; // above[i + b] is the byte above rows[i]
        int filter = rows[at];
        if (distance == 1 && (filter == 1 || filter == 3 || filter == 4)) {
            unfilterBytes(filter, rows, x, end, above, b);
            return true;
        }
        switch (filter) {
            case 0 -> {
            }
            case 1 -> {
                for (int i = x + distance; i < end; i++) {
                    int left = rows[i - distance] & 0xFF;
                    rows[i] = (byte) ((rows[i] & 0xFF) + left);
                }
            }
            case 2 -> {
                for (int i = x; i < end; i++) {
                    rows[i] = (byte) ((rows[i] & 0xFF) + (above[i + b] & 0xFF));
                }
            }
            case 3 -> {
                for (int i = x; i < x + distance; i++) {
                    rows[i] = (byte) ((rows[i] & 0xFF) + ((above[i + b] & 0xFF) >> 1));
                }
                for (int i = x + distance; i < end; i++) {
                    int left = rows[i - distance] & 0xFF;
                    rows[i] = (byte) ((rows[i] & 0xFF) + ((left + (above[i + b] & 0xFF)) >> 1));
                }
            }
            case 4 -> paeth(rows, x, end, above, b, distance);
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * Sub (1), Average (3) or Paeth (4) for pixels of one byte or less (gray and palette images), with the left
     * byte kept in a register: each byte depends on the one just written, and reading that back from the array
     * puts a store-to-load delay into every step of the chain (Paeth took 5 ns a byte that way, 3 ns this way).
     */
    private static void unfilterBytes(int filter, byte[] rows, int x, int end, byte[] above, int b) {
        int left = 0;
        switch (filter) {
            case 1 -> {
                for (int i = x; i < end; i++) {
                    left = (rows[i] + left) & 0xFF;
                    rows[i] = (byte) left;
                }
            }
            case 3 -> {
                for (int i = x; i < end; i++) {
                    left = (rows[i] + ((left + (above[i + b] & 0xFF)) >> 1)) & 0xFF;
                    rows[i] = (byte) left;
                }
            }
            default -> {
                int corner = 0;
                for (int i = x; i < end; i++) {
                    int up = above[i + b] & 0xFF;
                    left = (rows[i] + paethPredictor(left, up, corner)) & 0xFF;
                    rows[i] = (byte) left;
                    corner = up;
                }
            }
        }
    }

    /** The Paeth filter, the usual hot loop: each byte predicted from its left, upper and upper-left neighbours. */
    private static void paeth(byte[] rows, int x, int end, byte[] above, int b, int distance) {
        for (int i = x; i < x + distance; i++) {
            // no left neighbours: the prediction is the upper one
            rows[i] = (byte) ((rows[i] & 0xFF) + (above[i + b] & 0xFF));
        }
        for (int i = x + distance; i < end; i++) {
            int left = rows[i - distance] & 0xFF;
            int prediction = paethPredictor(left, above[i + b] & 0xFF, above[i + b - distance] & 0xFF);
            rows[i] = (byte) ((rows[i] & 0xFF) + prediction);
        }
    }

    /**
     * Of a (left), b (up) and c (upper left), the one nearest to a + b − c, ties going to a, then b: the spec's
     * predictor in stb_image's equivalent form (checked on all 2^24 inputs by the test), which has a shorter chain
     * of dependent steps, with the choices made by sign masks. Written with comparisons, C2 compiles them to jumps
     * that a photo's noise mispredicts, and the Paeth rows took three times as long.
     */
    static int paethPredictor(int a, int b, int c) {
        // stb_image: t = 3c − (a + b); (hi <= t ? lo : c), unless t <= lo, which gives hi
        int threshold = 3 * c - (a + b);
        int lo = Math.min(a, b);
        int hi = Math.max(a, b);
        int notLo = (threshold - hi) >> 31; // all ones when hi > t
        int loOrC = (c & notLo) | (lo & ~notLo);
        int notHi = (lo - threshold) >> 31; // all ones when lo < t
        return (loOrC & notHi) | (hi & ~notHi);
    }

    /** One un-filtered row of samples from {@code rows[at]} to RGB at {@code rgb[o]}: ImageDecoder.toRgb's rules. */
    private static void colour(Header h, byte[] colours, byte[] rows, int at, byte[] rgb, int o) {
        int width = h.width();
        if (colours != null) { // palette, or gray of fewer than 8 bits
            int depth = h.bitDepth();
            int mask = (1 << depth) - 1;
            for (int x = 0; x < width; x++, o += 3) {
                int bit = x * depth;
                int v = (rows[at + (bit >>> 3)] & 0xFF) >>> (8 - depth - (bit & 7)) & mask;
                rgb[o] = colours[3 * v];
                rgb[o + 1] = colours[3 * v + 1];
                rgb[o + 2] = colours[3 * v + 2];
            }
            return;
        }
        switch (h.colorType()) {
            case RGB -> System.arraycopy(rows, at, rgb, o, 3 * width);
            case RGBA -> {
                for (int x = 0, i = at; x < width; x++, i += 4, o += 3) {
                    rgb[o] = rows[i];
                    rgb[o + 1] = rows[i + 1];
                    rgb[o + 2] = rows[i + 2];
                }
            }
            default -> { // gray, or gray + alpha: the gray replicated, the alpha dropped
                int step = h.channels();
                for (int x = 0, i = at; x < width; x++, i += step, o += 3) {
                    byte v = rows[i];
                    rgb[o] = v;
                    rgb[o + 1] = v;
                    rgb[o + 2] = v;
                }
            }
        }
    }

    private static int int32(byte[] d, int p) {
        return (d[p] & 0xFF) << 24 | (d[p + 1] & 0xFF) << 16 | (d[p + 2] & 0xFF) << 8 | d[p + 3] & 0xFF;
    }
}
