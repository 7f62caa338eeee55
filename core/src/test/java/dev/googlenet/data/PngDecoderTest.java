package dev.googlenet.data;

import dev.googlenet.testing.Fuzzer;
import dev.googlenet.testing.SharedData;
import dev.googlenet.testing.TinyPng;
import org.junit.jupiter.api.Test;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.IntUnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PNG fast path against ImageDecoder's ImageIO path, which it must match byte for byte on what it takes, and
 * leave alone (null) what it does not take, so that {@link ImageDecoder#decode(byte[], String)} still gives
 * ImageIO's result or error for it.
 */
class PngDecoderTest {
    /** Colour type and bit depth of every kind the fast path takes. */
    private static final int[][] KINDS = {{0, 1}, {0, 2}, {0, 4}, {0, 8}, {2, 8}, {3, 1}, {3, 2}, {3, 4}, {3, 8},
        {4, 8}, {6, 8}};
    private static final int[][] SIZES = {{1, 1}, {3, 5}, {5, 3}, {17, 2}, {2, 17}, {33, 7}, {64, 4}};

    /** ImageIO's RgbImage, or its error message. */
    private static Object imageIo(byte[] png) {
        try {
            return ImageDecoder.decodeWithImageIo(png, "x.png");
        } catch (ImageDecodeException e) {
            return e.getMessage();
        }
    }

    /** What {@link ImageDecoder#decode(byte[], String)} gives: the image, or its error message. */
    private static Object decoded(byte[] png) {
        try {
            return ImageDecoder.decode(png, "x.png");
        } catch (ImageDecodeException e) {
            return e.getMessage();
        }
    }

    /** The fast path takes the file and gives ImageIO's pixels. */
    private static void fastAndSame(byte[] png, String what) {
        RgbImage fast = PngDecoder.decode(png);
        assertNotNull(fast, what + ": the fast path should take it");
        Object expected = imageIo(png);
        assertTrue(expected instanceof RgbImage, () -> what + ": ImageIO fails: " + expected);
        assertEquals(expected, fast, what);
    }

    /** The fast path leaves the file to ImageIO, and decode gives what ImageIO gives. */
    private static void leftToImageIo(byte[] png, String what) {
        assertNull(PngDecoder.decode(png), what + ": the fast path should leave it to ImageIO");
        assertEquals(imageIo(png), decoded(png), what);
    }

    private static byte[] randomSamples(Random r, int width, int height, int depth, int colorType) {
        byte[] samples = new byte[height * TinyPng.rowBytes(width, depth, colorType)];
        r.nextBytes(samples);
        return samples;
    }

    private static byte[] palette(Random r, int entries) {
        byte[] rgb = new byte[3 * entries];
        r.nextBytes(rgb);
        return TinyPng.chunk("PLTE", rgb);
    }

    /** A small image of each kind, with {@code before} chunks after the PLTE (palette images) or IHDR. */
    private static byte[] image(Random r, int width, int height, int colorType, int depth, IntUnaryOperator filters,
                                byte[]... before) {
        byte[] samples = randomSamples(r, width, height, depth, colorType);
        List<byte[]> chunks = new ArrayList<>();
        if (colorType == 3) {
            chunks.add(palette(r, 1 << depth));
        }
        chunks.addAll(Arrays.asList(before));
        return TinyPng.encode(width, height, depth, colorType, samples, filters, chunks.toArray(byte[][]::new));
    }

    private static byte[] rgb(Random r, byte[]... before) {
        return image(r, 7, 5, 2, 8, y -> y % 5, before);
    }

    @Test
    void sharedPngsTakeTheFastPathAndMatchImageIo() throws IOException {
        List<String> fast = new ArrayList<>();
        try (Stream<Path> files = Files.list(SharedData.file("images"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".png")).sorted().toList()) {
                byte[] png = Files.readAllBytes(p);
                RgbImage image = PngDecoder.decode(png);
                if (image != null) {
                    fast.add(p.getFileName().toString());
                    assertEquals(ImageDecoder.decodeWithImageIo(png, p.toString()), image, p.toString());
                }
                assertEquals(ImageDecoder.decodeWithImageIo(png, p.toString()), ImageDecoder.decode(png, p.toString()));
            }
        }
        // photos with iCCP, iTXt (XMP), tEXt, tIME and pHYs chunks; a palette with fewer entries than indices + tRNS
        assertEquals(List.of("astronaut.png", "camera.png", "chelsea.png", "coffee.png", "foo3x5x4indexed.png",
                "motorcycle_left.png"), fast);
    }

    @Test
    void paethPredictorIsTheSpecsOnEveryInput() {
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                for (int c = 0; c < 256; c++) {
                    int p = a + b - c;
                    int pa = Math.abs(p - a);
                    int pb = Math.abs(p - b);
                    int pc = Math.abs(p - c);
                    int spec = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                    if (PngDecoder.paethPredictor(a, b, c) != spec) {
                        assertEquals(spec, PngDecoder.paethPredictor(a, b, c), "a " + a + ", b " + b + ", c " + c);
                    }
                }
            }
        }
    }

    @Test
    void everyKindSizeAndFilterMatchesImageIo() {
        Random r = new Random(1);
        for (int[] kind : KINDS) {
            for (int[] size : SIZES) {
                for (int f = 0; f <= 5; f++) {
                    int filter = f;
                    IntUnaryOperator filters = filter < 5 ? y -> filter : y -> (y * 7 + 3) % 5;
                    byte[] png = image(r, size[0], size[1], kind[0], kind[1], filters);
                    fastAndSame(png, "colour type " + kind[0] + ", " + kind[1] + " bits, " + size[0] + "x" + size[1]
                            + ", filter " + (filter < 5 ? filter : "mixed"));
                }
            }
        }
    }

    @Test
    void shortPalettesArePaddedAsImageIoPadsThem() {
        Random r = new Random(2);
        for (int depth : new int[] {1, 2, 4, 8}) {
            for (int entries : new int[] {1, 2, 3, 4, 5, 15, 16, 17, 200, 255, 256}) {
                if (entries > 1 << depth) {
                    continue;
                }
                // random indices: many lie past the palette, where ImageIO's padding decides the colour
                byte[] samples = randomSamples(r, 9, 4, depth, 3);
                byte[] plte = palette(r, entries);
                fastAndSame(TinyPng.encode(9, 4, depth, 3, samples, y -> y % 5, plte),
                        depth + "-bit palette of " + entries);
                byte[] alpha = new byte[Math.max(1, entries / 2)];
                r.nextBytes(alpha);
                fastAndSame(TinyPng.encode(9, 4, depth, 3, samples, y -> y % 5, plte, TinyPng.chunk("tRNS", alpha)),
                        depth + "-bit palette of " + entries + " with tRNS");
            }
        }
    }

    @Test
    void transparentColourKeysLeaveTheColoursAlone() {
        Random r = new Random(3);
        for (int depth : new int[] {1, 2, 4, 8}) {
            fastAndSame(image(r, 11, 6, 0, depth, y -> y % 5, TinyPng.chunk("tRNS", new byte[] {0, 1})),
                    depth + "-bit gray with tRNS");
        }
        byte[] png = image(r, 11, 6, 0, 8, y -> y % 5, TinyPng.chunk("tRNS", new byte[] {0, 1, 2}));
        fastAndSame(png, "gray with a tRNS of the wrong length (ImageIO warns and skips it)");
        fastAndSame(rgb(r, TinyPng.chunk("tRNS", new byte[] {0, 9, 0, 8, 0, 7})), "RGB with tRNS");
        // a colour that occurs: that pixel gets alpha 0 in ImageIO, and keeps its colour
        byte[] samples = new byte[3 * 4 * 3];
        Arrays.fill(samples, (byte) 9);
        fastAndSame(TinyPng.encode(4, 3, 8, 2, samples, y -> 0, TinyPng.chunk("tRNS", new byte[] {0, 9, 0, 9, 0, 9})),
                "RGB with tRNS matching every pixel");
    }

    @Test
    void ancillaryChunksImageIoReadsCleanlyAreTaken() {
        Random r = new Random(4);
        byte[] iccp = concat("ICC Profile\0\0".getBytes(StandardCharsets.ISO_8859_1), TinyPng.zlib(new byte[40]));
        byte[] xmp = "XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta/>".getBytes(StandardCharsets.ISO_8859_1);
        Map<String, byte[]> chunks = new TreeMap<>();
        chunks.put("gAMA", TinyPng.chunk("gAMA", new byte[4]));
        chunks.put("cHRM", TinyPng.chunk("cHRM", new byte[32]));
        chunks.put("sRGB", TinyPng.chunk("sRGB", new byte[1]));
        chunks.put("pHYs", TinyPng.chunk("pHYs", new byte[9]));
        chunks.put("tIME", TinyPng.chunk("tIME", new byte[] {7, (byte) 0xde, 8, 31, 13, 10, 22}));
        chunks.put("bKGD", TinyPng.chunk("bKGD", new byte[6]));
        chunks.put("sBIT", TinyPng.chunk("sBIT", new byte[] {8, 8, 8}));
        chunks.put("tEXt", TinyPng.chunk("tEXt", "Comment\0written by a test".getBytes(StandardCharsets.ISO_8859_1)));
        chunks.put("tEXt empty", TinyPng.chunk("tEXt", new byte[] {0}));
        chunks.put("iCCP", TinyPng.chunk("iCCP", iccp));
        chunks.put("iTXt", TinyPng.chunk("iTXt", xmp));
        chunks.put("unknown ancillary", TinyPng.chunk("vpAg", new byte[9]));
        chunks.put("suggested palette", TinyPng.chunk("PLTE", new byte[30]));
        for (Map.Entry<String, byte[]> e : chunks.entrySet()) {
            fastAndSame(rgb(r, e.getValue()), e.getKey());
        }
        fastAndSame(rgb(r, chunks.values().toArray(byte[][]::new)), "all of them");
        // after the image data too
        byte[] png = rgb(r);
        int iend = png.length - 12;
        fastAndSame(concat(Arrays.copyOf(png, iend), chunks.get("tEXt"), chunks.get("iTXt"),
                Arrays.copyOfRange(png, iend, png.length)), "text after IDAT");
    }

    @Test
    void ancillaryChunksImageIoMayChokeOnAreLeftToIt() {
        Random r = new Random(5);
        Map<String, byte[]> chunks = new TreeMap<>();
        chunks.put("gAMA of 8 bytes", TinyPng.chunk("gAMA", new byte[8]));
        chunks.put("pHYs of 8 bytes", TinyPng.chunk("pHYs", new byte[8]));
        chunks.put("bKGD of 2 bytes in RGB", TinyPng.chunk("bKGD", new byte[2]));
        chunks.put("tEXt without NUL", TinyPng.chunk("tEXt", "k".repeat(90).getBytes(StandardCharsets.ISO_8859_1)));
        chunks.put("tEXt with an 80-byte keyword", TinyPng.chunk("tEXt", ("k".repeat(80) + "\0t")
                .getBytes(StandardCharsets.ISO_8859_1)));
        chunks.put("tEXt Creation Time", TinyPng.chunk("tEXt", "Creation Time\0yesterday"
                .getBytes(StandardCharsets.ISO_8859_1)));
        chunks.put("iCCP without profile", TinyPng.chunk("iCCP", "ICC\0\0".getBytes(StandardCharsets.ISO_8859_1)));
        chunks.put("compressed iTXt", TinyPng.chunk("iTXt", concat("k\0\1\0\0\0".getBytes(StandardCharsets.ISO_8859_1),
                TinyPng.zlib("text".getBytes(StandardCharsets.ISO_8859_1)))));
        chunks.put("iTXt without its NULs", TinyPng.chunk("iTXt", "k\0\0\0en".getBytes(StandardCharsets.ISO_8859_1)));
        chunks.put("zTXt", TinyPng.chunk("zTXt", concat("k\0\0".getBytes(StandardCharsets.ISO_8859_1),
                TinyPng.zlib("text".getBytes(StandardCharsets.ISO_8859_1)))));
        chunks.put("zTXt corrupt", TinyPng.chunk("zTXt", "k\0\0garbage".getBytes(StandardCharsets.ISO_8859_1)));
        chunks.put("hIST", TinyPng.chunk("hIST", new byte[4]));
        chunks.put("sPLT", TinyPng.chunk("sPLT", "p\0\u0008abcdef".getBytes(StandardCharsets.ISO_8859_1)));
        chunks.put("unknown critical", TinyPng.chunk("CRIT", new byte[3]));
        chunks.put("second IHDR", TinyPng.ihdr(7, 5, 8, 2, 0));
        chunks.put("PLTE of 257", TinyPng.chunk("PLTE", new byte[3 * 257]));
        chunks.put("PLTE of 2.5", TinyPng.chunk("PLTE", new byte[8]));
        for (Map.Entry<String, byte[]> e : chunks.entrySet()) {
            leftToImageIo(rgb(r, e.getValue()), e.getKey());
        }
        leftToImageIo(image(r, 5, 4, 6, 8, y -> 1, TinyPng.chunk("tRNS", new byte[6])), "tRNS in RGBA");
        leftToImageIo(image(r, 5, 4, 0, 8, y -> 1, TinyPng.chunk("PLTE", new byte[6])), "PLTE in gray");
        byte[] samples = randomSamples(r, 5, 4, 8, 3);
        leftToImageIo(TinyPng.encode(5, 4, 8, 3, samples, y -> 1), "palette image without PLTE");
        leftToImageIo(TinyPng.encode(5, 4, 8, 3, samples, y -> 1, TinyPng.chunk("tRNS", new byte[2]),
                palette(r, 256)), "tRNS before PLTE");
        leftToImageIo(TinyPng.encode(5, 4, 2, 3, randomSamples(r, 5, 4, 2, 3), y -> 1, palette(r, 5)),
                "2-bit palette of 5 entries");
    }

    @Test
    void interlacedAnd16BitAreLeftToImageIo() throws IOException {
        BufferedImage img = new BufferedImage(13, 9, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 9; y++) {
            for (int x = 0; x < 13; x++) {
                img.setRGB(x, y, x * 19 << 16 | y * 27 << 8 | x * y);
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT); // Adam7
            writer.write(null, new IIOImage(img, null, null), param);
        } finally {
            writer.dispose();
        }
        byte[] interlaced = out.toByteArray();
        assertEquals(1, interlaced[8 + 8 + 12], "interlace method");
        leftToImageIo(interlaced, "interlaced");
        leftToImageIo(imageIoPng(new BufferedImage(5, 3, BufferedImage.TYPE_USHORT_GRAY)), "16-bit gray");
        Random r = new Random(6);
        byte[] samples = new byte[2 * 3 * 5 * 4];
        r.nextBytes(samples);
        leftToImageIo(TinyPng.file(TinyPng.ihdr(5, 4, 16, 2, 0), TinyPng.chunk("IDAT", TinyPng.zlib(
                TinyPng.filter(samples, 4, 30, 6, y -> 4))), TinyPng.chunk("IEND", new byte[0])), "16-bit RGB");
    }

    @Test
    void pngsImageIoWritesAreTaken() throws IOException {
        int[] types = {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_3BYTE_BGR,
            BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_BYTE_BINARY,
            BufferedImage.TYPE_BYTE_INDEXED};
        Random r = new Random(7);
        for (int type : types) {
            for (int[] size : SIZES) {
                BufferedImage img = new BufferedImage(size[0], size[1], type);
                for (int y = 0; y < size[1]; y++) {
                    for (int x = 0; x < size[0]; x++) {
                        img.setRGB(x, y, r.nextInt());
                    }
                }
                fastAndSame(imageIoPng(img), "ImageIO-written type " + type + " " + size[0] + "x" + size[1]);
            }
        }
        // gray + alpha
        ImageTypeSpecifier grayAlpha = ImageTypeSpecifier.createInterleaved(ColorSpace.getInstance(ColorSpace.CS_GRAY),
                new int[] {0, 1}, DataBuffer.TYPE_BYTE, true, false);
        BufferedImage ga = grayAlpha.createBufferedImage(17, 2);
        WritableRaster raster = ga.getRaster();
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 17; x++) {
                raster.setPixel(x, y, new int[] {r.nextInt(256), r.nextInt(256)});
            }
        }
        fastAndSame(imageIoPng(ga), "ImageIO-written gray + alpha");
    }

    private static byte[] imageIoPng(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, "png", out));
        return out.toByteArray();
    }

    @Test
    void damagedFilesAreLeftToImageIo() throws IOException {
        byte[] chelsea = Files.readAllBytes(SharedData.file("images/chelsea.png"));
        for (int cut : new int[] {chelsea.length / 2, chelsea.length - 1, chelsea.length - 12, chelsea.length - 13,
            9000, 40}) {
            leftToImageIo(Arrays.copyOf(chelsea, cut), "chelsea cut to " + cut + " bytes");
        }
        // a byte of the compressed image data changed: with its CRC as it was, and with the CRC made right
        int firstIdat = indexOf(chelsea, "IDAT") - 4;
        byte[] corrupt = chelsea.clone();
        corrupt[firstIdat + 8 + 1000] ^= 0x5A;
        leftToImageIo(corrupt, "IDAT corrupted");
        leftToImageIo(TinyPng.withCrcsFixed(corrupt), "IDAT corrupted, CRC fixed");
        byte[] badCrc = chelsea.clone();
        badCrc[33 + 8] ^= 1; // the first byte of the chunk after IHDR (iCCP's keyword)
        leftToImageIo(badCrc, "bad CRC");

        Random r = new Random(8);
        byte[] samples = randomSamples(r, 6, 4, 8, 2);
        byte[] rows = TinyPng.filter(samples, 4, 18, 3, y -> y % 5);
        byte[] ihdr = TinyPng.ihdr(6, 4, 8, 2, 0);
        byte[] iend = TinyPng.chunk("IEND", new byte[0]);
        byte[] good = TinyPng.file(ihdr, TinyPng.chunk("IDAT", TinyPng.zlib(rows)), iend);
        fastAndSame(good, "the well-formed file these are made from");
        leftToImageIo(concat(good, new byte[] {0}), "a byte after IEND");
        leftToImageIo(concat(good, TinyPng.chunk("tEXt", "k\0v".getBytes(StandardCharsets.ISO_8859_1))),
                "a chunk after IEND");
        leftToImageIo(Arrays.copyOf(good, good.length - 12), "no IEND");
        leftToImageIo(TinyPng.file(ihdr, TinyPng.chunk("IDAT", TinyPng.zlib(Arrays.copyOf(rows, rows.length + 19))),
                iend), "a row too many");
        leftToImageIo(TinyPng.file(ihdr, TinyPng.chunk("IDAT", TinyPng.zlib(Arrays.copyOf(rows, rows.length - 5))),
                iend), "five bytes too few");
        leftToImageIo(TinyPng.file(ihdr, TinyPng.chunk("IDAT", concat(TinyPng.zlib(rows), new byte[] {1, 2})), iend),
                "bytes after the zlib stream");
        byte[] z = TinyPng.zlib(rows);
        leftToImageIo(TinyPng.file(ihdr, TinyPng.chunk("IDAT", Arrays.copyOf(z, z.length - 4)), iend),
                "zlib stream without its Adler-32");
        byte[] badAdler = z.clone();
        badAdler[z.length - 1] ^= 1;
        leftToImageIo(TinyPng.file(ihdr, TinyPng.chunk("IDAT", badAdler), iend), "wrong Adler-32");
        int half = z.length / 2;
        byte[] idat1 = TinyPng.chunk("IDAT", Arrays.copyOf(z, half));
        byte[] idat2 = TinyPng.chunk("IDAT", Arrays.copyOfRange(z, half, z.length));
        fastAndSame(TinyPng.file(ihdr, idat1, TinyPng.chunk("IDAT", new byte[0]), idat2, iend), "IDAT split in three");
        leftToImageIo(TinyPng.file(ihdr, idat1, TinyPng.chunk("tEXt", "k\0v".getBytes(StandardCharsets.ISO_8859_1)),
                idat2, iend), "IDATs not consecutive");
        leftToImageIo(TinyPng.file(ihdr, TinyPng.chunk("IDAT", z), TinyPng.chunk("IDAT", new byte[0]), iend),
                "an IDAT after the stream's end");
        leftToImageIo(TinyPng.file(ihdr, iend), "no IDAT");
        byte[] badFilter = rows.clone();
        badFilter[2 * 19] = 5;
        leftToImageIo(TinyPng.file(ihdr, TinyPng.chunk("IDAT", TinyPng.zlib(badFilter)), iend), "filter type 5");
        leftToImageIo(TinyPng.file(TinyPng.chunk("tEXt", "k\0v".getBytes(StandardCharsets.ISO_8859_1)), ihdr,
                TinyPng.chunk("IDAT", z), iend), "IHDR not first");
        byte[] nonzeroMethod = TinyPng.chunk("IHDR", ByteBuffer.allocate(13).putInt(6).putInt(4).put((byte) 8)
                .put((byte) 2).put((byte) 0).put((byte) 1).put((byte) 0).array());
        leftToImageIo(TinyPng.file(nonzeroMethod, TinyPng.chunk("IDAT", z), iend), "filter method 1");
        leftToImageIo(TinyPng.file(TinyPng.ihdr(0, 4, 8, 2, 0), TinyPng.chunk("IDAT", z), iend), "width 0");
        leftToImageIo(TinyPng.file(TinyPng.ihdr(6, 4, 3, 0, 0), TinyPng.chunk("IDAT", z), iend), "3-bit gray");
    }

    @Test
    void thePixelLimitIsLeftToImageIosMessage() {
        byte[] png = image(new Random(9), 5, 3, 2, 8, y -> 4);
        try {
            ImageDecoder.setMaxPixels(14);
            leftToImageIo(png, "15 pixels against a limit of 14");
            assertTrue(decoded(png).toString().contains("5x3 = 15 pixels; allowed: at most 14 pixels"));
            ImageDecoder.setMaxPixels(15);
            fastAndSame(png, "15 pixels against a limit of 15");
        } finally {
            ImageDecoder.setMaxPixels(ImageDecoder.DEFAULT_MAX_PIXELS);
        }
        // declared far larger than the data can inflate to: refused before the rows are allocated
        byte[] z = TinyPng.zlib(new byte[10]);
        leftToImageIo(TinyPng.file(TinyPng.ihdr(3000, 3000, 8, 6, 0), TinyPng.chunk("IDAT", z),
                TinyPng.chunk("IEND", new byte[0])), "3000x3000 RGBA from " + z.length + " bytes");
    }

    /**
     * Seeded mutants of small PNGs of every kind, CRCs made right so that they get past the chunk walk: whatever
     * the fast path takes must be what ImageIO gives; and decode must only ever throw ImageDecodeException.
     */
    @Test
    void mutantsTheFastPathTakesAreWhatImageIoGives() throws IOException {
        Random r = new Random(10);
        List<byte[]> seeds = new ArrayList<>();
        for (int[] kind : KINDS) {
            seeds.add(image(r, 9, 5, kind[0], kind[1], y -> y % 5));
        }
        byte[] text = TinyPng.chunk("tEXt", "Comment\0hello".getBytes(StandardCharsets.ISO_8859_1));
        seeds.add(image(r, 6, 6, 3, 8, y -> 4, TinyPng.chunk("tRNS", new byte[] {0, 1, 2}), text));
        seeds.add(image(r, 6, 6, 0, 4, y -> 3, TinyPng.chunk("tRNS", new byte[] {0, 3}), text));
        seeds.add(Files.readAllBytes(SharedData.file("images/foo3x5x4indexed.png")));
        int[] taken = {0};
        Fuzzer.Result result = new Fuzzer("png", seeds, (bytes, name) -> {
            byte[] png = TinyPng.withCrcsFixed(bytes);
            RgbImage fast = png.length > 8 ? PngDecoder.decode(png) : null;
            Object expected;
            try {
                expected = ImageDecoder.decodeWithImageIo(png, name);
            } catch (ImageDecodeException e) {
                expected = e;
            }
            if (fast != null) {
                taken[0]++;
                if (!fast.equals(expected)) {
                    throw new AssertionError("the fast path gives " + fast + ", ImageIO " + expected);
                }
            }
            ImageDecoder.decode(png, name);
        }).run(Fuzzer.seed(0x706e67L), Fuzzer.maxCases(3000), Fuzzer.budgetMillis(10_000));
        System.out.println(result + "; the fast path took " + taken[0]);
        assertTrue(result.findings().isEmpty(), () -> result.findings().size() + " findings; first: "
                + result.findings().getFirst());
        // most mutants break the compressed data, which ImageIO rejects too; of those it reads, most are the fast path's
        int accepted = result.outcomes().getOrDefault("accepted", 0);
        assertTrue(taken[0] > accepted / 2, "the fast path took " + taken[0] + " of the " + accepted + " accepted");
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] d, String s) {
        byte[] t = s.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i + t.length <= d.length; i++) {
            if (Arrays.equals(d, i, i + t.length, t, 0, t.length)) {
                return i;
            }
        }
        return -1;
    }
}
