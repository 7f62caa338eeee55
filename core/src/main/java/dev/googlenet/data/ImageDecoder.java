package dev.googlenet.data;

import dev.googlenet.io.Failures;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Decodes PNG and JPEG files (GIF, BMP and TIFF too, which the JDK reads) to {@link RgbImage}, giving the pixels
 * Pillow gives after {@code Image.open(f).convert("RGB")}: grayscale replicated to R = G = B, palettes expanded,
 * alpha dropped (not composited onto a background), CMYK converted with Pillow's formula
 * {@code R = (255 − C)(255 − K)/255}. No colour management: embedded ICC profiles and PNG gamma are ignored, as
 * Pillow ignores them (a JPEG's ICC profile is cut out before decoding, or the JDK would convert its colours).
 * A JPEG without Huffman tables (a Motion-JPEG frame) gets the standard ones, as libjpeg-turbo gives it.
 *
 * <p>JPEGs are read by the JDK's decoder first: it decodes with libjpeg as Pillow does, and for Adobe CMYK and YCCK
 * JPEGs it hands over the CMYK values libjpeg gives Pillow. When it fails, TwelveMonkeys' reader (a dependency) is
 * tried as a fallback for the odd JPEGs it copes with; it converts CMYK itself, within a level of Pillow when the
 * file has no ICC profile. A JPEG that ends before its end-of-image marker is an error, as in Pillow (the JDK
 * alone would only warn and fill the rest with gray); so is a PNG whose chunks run past the end of the file.
 *
 * <p>One deliberate difference: 16-bit samples keep their high byte. Pillow 9 reads 16-bit grayscale PNGs as
 * 32-bit integers and clips them at 255 in {@code convert("RGB")}, which whitens almost every pixel.
 *
 * <p>Every failure is an {@link ImageDecodeException} whose one-line message starts with the file.
 */
public final class ImageDecoder {
    /**
     * Pillow's decompression-bomb threshold ({@code Image.MAX_IMAGE_PIXELS}): a few hundred bytes of JPEG can
     * declare 13000×13000 pixels, half a gigabyte once decoded, so larger images are refused from their header,
     * before decoding, unless the limit is raised ({@link #setMaxPixels}, {@code --max-image-pixels}).
     */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;
    /** The limit in force: process-wide, like the engine's thread count, set once by the command line. */
    private static volatile long maxPixels = DEFAULT_MAX_PIXELS;
    /** Files larger than this are refused before they are read. */
    public static final long MAX_FILE_BYTES = 1L << 30;

    private ImageDecoder() {
    }

    /** Images of more pixels than this are refused from their header (default {@link #DEFAULT_MAX_PIXELS}). */
    public static long maxPixels() {
        return maxPixels;
    }

    /** Raises (or lowers) the pixel limit for every decode that follows; at most 2³¹ − 1 (an array's length). */
    public static void setMaxPixels(long pixels) {
        if (pixels < 1 || pixels > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the image pixel limit must be from 1 to " + Integer.MAX_VALUE
                    + ", not " + pixels);
        }
        maxPixels = pixels;
    }

    /** The formats recognised by their first bytes (the file name's extension is not consulted). */
    enum Format {
        PNG("png"), JPEG("jpeg"), GIF("gif"), BMP("bmp"), TIFF("tiff");

        final String imageIoName;

        Format(String imageIoName) {
            this.imageIoName = imageIoName;
        }
    }

    /** The outcome for one file of a folder: an image, or the error that names the file. */
    public record Decoded(Path file, RgbImage image, ImageDecodeException error) {
        public boolean ok() {
            return error == null;
        }
    }

    /** Decodes one image file. */
    public static RgbImage decode(Path file) throws ImageDecodeException {
        String source = file.toString();
        byte[] data;
        try {
            if (Files.isDirectory(file)) {
                throw new ImageDecodeException(source, "is a folder, not an image file");
            }
            long size = Files.size(file);
            if (size == 0) {
                throw new ImageDecodeException(source, "empty file (0 bytes)");
            }
            if (size > MAX_FILE_BYTES) {
                throw new ImageDecodeException(source, "file too large for an image (" + size + " bytes, limit "
                        + MAX_FILE_BYTES + ")");
            }
            data = Files.readAllBytes(file);
        } catch (ImageDecodeException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new ImageDecodeException(source, "no such file", e);
        } catch (AccessDeniedException e) {
            throw new ImageDecodeException(source, "cannot read the file: permission denied", e);
        } catch (IOException e) {
            throw new ImageDecodeException(source, "cannot read the file: " + describe(e), e);
        }
        return decode(data, source);
    }

    /** Decodes an image held in memory; {@code source} names it in error messages. */
    public static RgbImage decode(byte[] data, String source) throws ImageDecodeException {
        Format format = format(data, source);
        // ImageIO's PNG reader spends most of its time copying rows through Rasters: the common PNGs are read
        // directly, in about half the time (the inflating, which both do, is most of what is left); anything else,
        // or anything odd, comes back null and takes ImageIO's path below, with its checks and messages
        if (format == Format.PNG && PngDecoder.decode(data) instanceof RgbImage image) {
            return image;
        }
        return decodeWithImageIo(data, source, format);
    }

    /** {@link #decode(byte[], String)} without the PNG fast path: for tests and the benchmark to compare against. */
    public static RgbImage decodeWithImageIo(byte[] data, String source) throws ImageDecodeException {
        return decodeWithImageIo(data, source, format(data, source));
    }

    private static Format format(byte[] data, String source) throws ImageDecodeException {
        if (data.length == 0) {
            throw new ImageDecodeException(source, "empty file (0 bytes)");
        }
        Format format = sniff(data);
        if (format == null) {
            throw new ImageDecodeException(source, "not a PNG or JPEG image (nor GIF, BMP or TIFF): it starts with "
                    + preview(data));
        }
        return format;
    }

    private static RgbImage decodeWithImageIo(byte[] data, String source, Format format)
            throws ImageDecodeException {
        List<ImageReader> readers = readers(format);
        if (readers.isEmpty()) {
            throw new ImageDecodeException(source, "no " + format + " decoder is installed in this Java runtime");
        }
        byte[] input = format == Format.JPEG ? JpegHeader.prepare(data) : data;
        ImageDecodeException first = null;
        for (ImageReader reader : readers) {
            try {
                return toRgb(read(reader, input, data.length, source, format));
            } catch (Attempt failed) {
                if (failed.fatal) {
                    throw failed.error;
                }
                if (first == null) {
                    first = failed.error;
                }
            } finally {
                reader.dispose();
            }
        }
        throw first;
    }

    /**
     * Decodes every regular file of {@code folder} (names starting with '.' and subfolders are skipped), in name
     * order. A file that fails gives an entry with its error; the folder itself failing to list throws.
     */
    public static List<Decoded> decodeFolder(Path folder) throws IOException {
        List<Path> files = folderFiles(folder);
        List<Decoded> out = new ArrayList<>(files.size());
        for (Path p : files) {
            try {
                out.add(new Decoded(p, decode(p), null));
            } catch (ImageDecodeException e) {
                out.add(new Decoded(p, null, e));
            }
        }
        return out;
    }

    /** The files {@link #decodeFolder} decodes: regular files, not hidden, not in subfolders, in name order. */
    public static List<Path> folderFiles(Path folder) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(folder)) {
            for (Path p : dir) {
                Path name = p.getFileName();
                if (name != null && !name.toString().startsWith(".") && Files.isRegularFile(p)) {
                    files.add(p);
                }
            }
        }
        files.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return files;
    }

    static Format sniff(byte[] d) {
        if (startsWith(d, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return Format.PNG;
        }
        if (startsWith(d, 0xFF, 0xD8, 0xFF)) {
            return Format.JPEG;
        }
        if (startsWith(d, 'G', 'I', 'F', '8', '7', 'a') || startsWith(d, 'G', 'I', 'F', '8', '9', 'a')) {
            return Format.GIF;
        }
        if (startsWith(d, 'B', 'M') && d.length >= 26) {
            return Format.BMP;
        }
        if (startsWith(d, 'I', 'I', 42, 0) || startsWith(d, 'M', 'M', 0, 42)) {
            return Format.TIFF;
        }
        return null;
    }

    private static boolean startsWith(byte[] d, int... magic) {
        if (d.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((d[i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** The first bytes in hex, and as text when they are printable. */
    private static String preview(byte[] d) {
        int n = Math.min(8, d.length);
        StringBuilder hex = new StringBuilder();
        StringBuilder text = new StringBuilder();
        boolean printable = true;
        for (int i = 0; i < n; i++) {
            int b = d[i] & 0xFF;
            hex.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%02x", b));
            printable &= b >= 0x20 && b < 0x7F;
            text.append((char) b);
        }
        return "bytes " + hex + (printable ? " (\"" + text + "\")" : "") + (d.length > n ? " …" : "");
    }

    /** The installed readers for {@code format}, the JDK's own first. */
    private static List<ImageReader> readers(Format format) {
        List<ImageReader> list = new ArrayList<>();
        for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(format.imageIoName); it.hasNext(); ) {
            list.add(it.next());
        }
        list.sort(Comparator.comparingInt(r -> r.getClass().getName().startsWith("com.sun.imageio.") ? 0 : 1));
        return list;
    }

    /** A failed read: {@code fatal} when no other reader should be tried (the data itself is bad). */
    private static final class Attempt extends Exception {
        final ImageDecodeException error;
        final boolean fatal;

        Attempt(ImageDecodeException error, boolean fatal) {
            super(error.getMessage(), null, false, false);
            this.error = error;
            this.fatal = fatal;
        }
    }

    private static BufferedImage read(ImageReader reader, byte[] data, int fileBytes, String source, Format format)
            throws Attempt {
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream in = new ByteArrayImageInputStream(data)) {
            reader.addIIOReadWarningListener((r, warning) -> warnings.add(warning));
            reader.setInput(in);
            int w;
            int h;
            try {
                w = reader.getWidth(0);
                h = reader.getHeight(0);
            } catch (IOException | RuntimeException e) {
                throw failure(source, format, data, fileBytes, e, warnings);
            }
            long limit = maxPixels;
            if (w <= 0 || h <= 0 || (long) w * h > limit) {
                throw new Attempt(new ImageDecodeException(source, String.format(Locale.ROOT, "%s image too large: "
                        + "%dx%d = %,d pixels; allowed: at most %,d pixels (against decompression bombs; raise the "
                        + "limit with --max-image-pixels)", format, w, h, (long) w * h, limit)), true);
            }
            BufferedImage img;
            try {
                img = reader.read(0);
            } catch (IOException | RuntimeException e) {
                throw failure(source, format, data, fileBytes, e, warnings);
            }
            if (truncated(warnings)) {
                throw failure(source, format, data, fileBytes, null, warnings);
            }
            return img;
        } catch (IOException e) {
            // closing an in-memory stream; nothing was lost
            throw new Attempt(new ImageDecodeException(source, "cannot read " + format + " data: " + describe(e), e),
                    false);
        }
    }

    private static Attempt failure(String source, String what, Throwable e) {
        return new Attempt(new ImageDecodeException(source, what, e), false);
    }

    private static Attempt failure(String source, Format format, byte[] data, int bytes, Throwable e,
            List<String> warnings) {
        boolean truncated = truncated(warnings) || hasEof(e) || format == Format.PNG && pngTruncated(data);
        if (truncated) {
            String problem = "truncated " + format + " (" + bytes + " bytes; the data ends before the image does)"
                    + (e == null ? "" : ": " + describe(e));
            return new Attempt(new ImageDecodeException(source, problem, e), true);
        }
        return failure(source, "corrupt " + format + ": " + describe(e), e);
    }

    private static boolean truncated(List<String> warnings) {
        for (String w : warnings) {
            String s = w.toLowerCase(Locale.ROOT);
            if (s.contains("truncated") || s.contains("premature end")) {
                return true;
            }
        }
        return false;
    }

    /** Whether the PNG's chunks run past the end of the data before its IEND chunk. */
    static boolean pngTruncated(byte[] d) {
        long p = 8;
        while (p + 8 <= d.length) {
            long length = ((d[(int) p] & 0xFFL) << 24) | ((d[(int) p + 1] & 0xFF) << 16)
                    | ((d[(int) p + 2] & 0xFF) << 8) | (d[(int) p + 3] & 0xFF);
            boolean end = d[(int) p + 4] == 'I' && d[(int) p + 5] == 'E' && d[(int) p + 6] == 'N'
                    && d[(int) p + 7] == 'D';
            p += 12 + length; // length, type, data, CRC
            if (end) {
                return p > d.length;
            }
        }
        return true;
    }

    private static boolean hasEof(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EOFException) {
                return true;
            }
        }
        return false;
    }

    /** The exception's message, with its causes' messages when they add something. */
    private static String describe(Throwable e) {
        return Failures.describe(e);
    }

    /** Pillow's {@code convert("RGB")} of whatever the reader produced. */
    static RgbImage toRgb(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        ColorModel cm = img.getColorModel();
        Raster r = img.getRaster();
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        int[] row = new int[w];
        if (cm instanceof IndexColorModel icm) {
            int n = icm.getMapSize();
            byte[] reds = new byte[n];
            byte[] greens = new byte[n];
            byte[] blues = new byte[n];
            icm.getReds(reds);
            icm.getGreens(greens);
            icm.getBlues(blues);
            for (int y = 0; y < h; y++) {
                r.getSamples(r.getMinX(), r.getMinY() + y, w, 1, 0, row);
                int o = y * w * 3;
                for (int x = 0; x < w; x++, o += 3) {
                    int i = row[x];
                    if (i >= 0 && i < n) {
                        out[o] = reds[i];
                        out[o + 1] = greens[i];
                        out[o + 2] = blues[i];
                    }
                }
            }
            return new RgbImage(w, h, out);
        }
        int colors = cm.getNumColorComponents();
        int csType = cm.getColorSpace().getType();
        int dataType = r.getTransferType();
        boolean integral = dataType == DataBuffer.TYPE_BYTE || dataType == DataBuffer.TYPE_USHORT
                || dataType == DataBuffer.TYPE_INT;
        if (!integral || !(colors == 1 || colors == 3 && csType == ColorSpace.TYPE_RGB
                || colors == 4 && csType == ColorSpace.TYPE_CMYK)) {
            return colourManaged(img);
        }
        RgbImage direct = fromInterleavedBytes(img, colors);
        if (direct != null) {
            return direct;
        }
        int[][] bands = new int[colors][w];
        int[] shift = new int[colors];
        int[] bits = new int[colors];
        for (int c = 0; c < colors; c++) {
            bits[c] = cm.getComponentSize(c);
            shift[c] = Math.max(0, bits[c] - 8);
        }
        for (int y = 0; y < h; y++) {
            for (int c = 0; c < colors; c++) {
                r.getSamples(r.getMinX(), r.getMinY() + y, w, 1, c, bands[c]);
                to8(bands[c], bits[c], shift[c]);
            }
            int o = y * w * 3;
            for (int x = 0; x < w; x++, o += 3) {
                if (colors == 1) {
                    byte v = (byte) bands[0][x];
                    out[o] = v;
                    out[o + 1] = v;
                    out[o + 2] = v;
                } else if (colors == 3) {
                    out[o] = (byte) bands[0][x];
                    out[o + 1] = (byte) bands[1][x];
                    out[o + 2] = (byte) bands[2][x];
                } else {
                    int nk = 255 - bands[3][x];
                    out[o] = cmykToRgb(bands[0][x], nk);
                    out[o + 1] = cmykToRgb(bands[1][x], nk);
                    out[o + 2] = cmykToRgb(bands[2][x], nk);
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    /**
     * The usual case, read straight from the raster's bytes: 8-bit gray or RGB samples (alpha, if any, is
     * skipped) interleaved in one byte array, as the JPEG reader and most PNGs give them. {@code null} for any
     * other layout, which {@link #toRgb} reads band by band instead.
     */
    private static RgbImage fromInterleavedBytes(BufferedImage img, int colors) {
        Raster r = img.getRaster();
        if (colors == 4 || !(r.getSampleModel() instanceof ComponentSampleModel sm)
                || !(r.getDataBuffer() instanceof DataBufferByte buffer) || buffer.getNumBanks() != 1) {
            return null;
        }
        int[] bandOffsets = sm.getBandOffsets();
        for (int c = 0; c < colors; c++) {
            if (img.getColorModel().getComponentSize(c) != 8 || sm.getBankIndices()[c] != 0) {
                return null;
            }
        }
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] data = buffer.getData();
        int pixelStride = sm.getPixelStride();
        int origin = buffer.getOffset() + (r.getMinY() - r.getSampleModelTranslateY()) * sm.getScanlineStride()
                + (r.getMinX() - r.getSampleModelTranslateX()) * pixelStride; // the band offsets come per sample
        int red = bandOffsets[0];
        int green = bandOffsets[colors == 3 ? 1 : 0];
        int blue = bandOffsets[colors == 3 ? 2 : 0];
        byte[] out = new byte[w * h * 3];
        for (int y = 0, o = 0; y < h; y++) {
            for (int x = 0, p = origin + y * sm.getScanlineStride(); x < w; x++, p += pixelStride, o += 3) {
                out[o] = data[p + red];
                out[o + 1] = data[p + green];
                out[o + 2] = data[p + blue];
            }
        }
        return new RgbImage(w, h, out);
    }

    /** Samples of {@code bits} bits to 0–255: high byte of wider samples, full-range scaling of narrower ones. */
    private static void to8(int[] v, int bits, int shift) {
        if (bits == 8) {
            return;
        }
        int max = (1 << Math.min(bits, 30)) - 1;
        for (int i = 0; i < v.length; i++) {
            v[i] = bits > 8 ? (v[i] >>> shift) & 0xFF : (v[i] * 255 + max / 2) / max;
        }
    }

    /** Pillow's {@code cmyk2rgb}: {@code nk − nk·c/255} with its rounding ({@code MULDIV255}), clipped. */
    static byte cmykToRgb(int c, int nk) {
        int t = c * nk + 128;
        int v = nk - (((t >> 8) + t) >> 8);
        return (byte) Math.max(0, Math.min(255, v));
    }

    /** Anything unusual (other colour spaces, float samples): let Java2D convert it to sRGB. */
    private static RgbImage colourManaged(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
                int p = row[x];
                out[o] = (byte) (p >> 16);
                out[o + 1] = (byte) (p >> 8);
                out[o + 2] = (byte) p;
            }
        }
        return new RgbImage(w, h, out);
    }
}
