package dev.googlenet.data;

import dev.googlenet.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decoding to Pillow's {@code convert("RGB")}; expected pixel values were read with Pillow 9.4. */
class ImageDecoderTest {

    @Test
    void paletteImageExpandsItsPalette() throws IOException {
        RgbImage img = ImageDecoder.decode(SharedData.file("images/foo3x5x4indexed.png"));
        assertEquals(5, img.width());
        assertEquals(3, img.height());
        // Pillow: list(Image.open(f).convert("RGB").getdata()) — the tRNS transparency is dropped, not composited
        int[][] expected = {
            {127, 0, 255}, {127, 0, 255}, {127, 0, 255}, {127, 0, 255}, {127, 0, 255},
            {192, 192, 255}, {192, 192, 255}, {0, 0, 255}, {0, 0, 255}, {0, 0, 255},
            {0, 31, 255}, {0, 31, 255}, {0, 31, 255}, {0, 31, 255}, {0, 31, 255}};
        for (int i = 0; i < 15; i++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(expected[i][c], img.get(i % 5, i / 5, c), "pixel " + i + " channel " + c);
            }
        }
    }

    @Test
    void grayscaleIsReplicatedWithoutGammaConversion() throws IOException {
        RgbImage img = ImageDecoder.decode(SharedData.file("images/camera.png"));
        assertEquals(512, img.width());
        assertEquals(512, img.height());
        long sum = 0;
        for (int y = 0; y < 512; y++) {
            for (int x = 0; x < 512; x++) {
                int v = img.get(x, y, 0);
                assertEquals(v, img.get(x, y, 1));
                assertEquals(v, img.get(x, y, 2));
                sum += v;
            }
        }
        // Pillow: L mode, getpixel (0,0) 200, (511,511) 149, (100,300) 25, sum 33832495
        assertEquals(200, img.get(0, 0, 0));
        assertEquals(149, img.get(511, 511, 0));
        assertEquals(25, img.get(100, 300, 0));
        assertEquals(33832495L, sum);
    }

    @Test
    void rgbPng() throws IOException {
        RgbImage img = ImageDecoder.decode(SharedData.file("images/chelsea.png"));
        assertEquals(451, img.width());
        assertEquals(300, img.height());
        assertRgb(img, 0, 0, 143, 120, 104);
        assertRgb(img, 450, 299, 162, 138, 128);
        long sum = 0;
        for (byte b : img.rgb()) {
            sum += b & 0xFF;
        }
        assertEquals(46802357L, sum);
    }

    @Test
    void alphaIsDroppedNotComposited() throws IOException {
        BufferedImage argb = new BufferedImage(3, 2, BufferedImage.TYPE_INT_ARGB);
        int[] pixels = {0x00FF0000, 0x8000FF00, 0xFF0000FF, 0x00123456, 0x7F808080, 0x01FFFFFF};
        argb.setRGB(0, 0, 3, 2, pixels, 0, 3);
        RgbImage img = ImageDecoder.decode(png(argb), "rgba.png");
        for (int i = 0; i < pixels.length; i++) {
            int p = pixels[i];
            assertRgb(img, i % 3, i / 3, (p >> 16) & 0xFF, (p >> 8) & 0xFF, p & 0xFF);
        }
    }

    @Test
    void grayWithAlphaIsReplicated() throws IOException {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster r = cm.createCompatibleWritableRaster(2, 1);
        r.setPixel(0, 0, new int[] {10, 0});
        r.setPixel(1, 0, new int[] {240, 128});
        RgbImage img = ImageDecoder.decode(png(new BufferedImage(cm, r, false, null)), "la.png");
        assertRgb(img, 0, 0, 10, 10, 10);
        assertRgb(img, 1, 0, 240, 240, 240);
    }

    @Test
    void sixteenBitSamplesKeepTheirHighByte() throws IOException {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster r = cm.createCompatibleWritableRaster(2, 1);
        r.setPixel(0, 0, new int[] {0x1234, 0xFFFF, 0x00FF});
        r.setPixel(1, 0, new int[] {0x8000, 0x7FFF, 0x0100});
        RgbImage img = ImageDecoder.decode(png(new BufferedImage(cm, r, false, null)), "rgb16.png");
        assertRgb(img, 0, 0, 0x12, 0xFF, 0x00);
        assertRgb(img, 1, 0, 0x80, 0x7F, 0x01);
    }

    @Test
    void cmykAndYcckJpegsMatchPillow() throws IOException {
        for (String name : List.of("cmyk-adobe.jpg", "ycck-adobe.jpg")) {
            byte[] jpeg = resource(name);
            byte[] expected = resource(name + ".rgb");
            RgbImage img = ImageDecoder.decode(jpeg, name);
            assertEquals(24, img.width());
            assertEquals(16, img.height());
            int max = maxDiff(img.rgb(), expected);
            System.out.printf(Locale.ROOT, "decode %s: max abs difference from Pillow %d levels%n", name, max);
            assertTrue(max <= 1, name + ": max difference from Pillow " + max);
        }
    }

    /** The fallback reader (TwelveMonkeys) converts CMYK/YCCK itself; it agrees with Pillow within a level. */
    @Test
    void twelveMonkeysFallbackReadsCmykAndYcck() throws IOException {
        for (String name : List.of("cmyk-adobe.jpg", "ycck-adobe.jpg")) {
            ImageReader reader = reader("com.twelvemonkeys.");
            try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(
                    JpegHeader.prepare(resource(name))))) {
                reader.setInput(in);
                RgbImage img = ImageDecoder.toRgb(reader.read(0));
                int max = maxDiff(img.rgb(), resource(name + ".rgb"));
                System.out.printf(Locale.ROOT, "decode %s with TwelveMonkeys: max abs difference from Pillow %d%n",
                        name, max);
                assertTrue(max <= 2, name + ": max difference from Pillow " + max);
            } finally {
                reader.dispose();
            }
        }
    }

    @Test
    void motionJpegFrameWithoutHuffmanTablesGetsTheStandardOnes() throws IOException {
        byte[] jpeg = resource("mjpeg-no-huffman.jpg");
        // the JDK's decoder alone refuses it
        ImageReader jdk = reader("com.sun.imageio.");
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(jpeg))) {
            jdk.setInput(in);
            assertThrows(IOException.class, () -> jdk.read(0));
        } finally {
            jdk.dispose();
        }
        RgbImage img = ImageDecoder.decode(jpeg, "mjpeg-no-huffman.jpg");
        assertEquals(64, img.width());
        assertEquals(48, img.height());
        int max = maxDiff(img.rgb(), resource("mjpeg-no-huffman.jpg.rgb"));
        System.out.printf(Locale.ROOT, "decode mjpeg-no-huffman.jpg: max abs difference from Pillow %d%n", max);
        assertTrue(max <= 1, "max difference from Pillow " + max);
    }

    @Test
    void iccProfileIsCutOutOfTheHeaderOnly() throws IOException {
        byte[] rocket = Files.readAllBytes(SharedData.file("images/rocket.jpg"));
        assertTrue(indexOf(rocket, "ICC_PROFILE") > 0, "rocket.jpg carries an ICC profile");
        byte[] prepared = JpegHeader.prepare(rocket);
        assertEquals(-1, indexOf(prepared, "ICC_PROFILE"));
        // everything from the first scan on is untouched
        int sos = indexOf(rocket, new byte[] {(byte) 0xFF, (byte) 0xDA});
        int sos2 = indexOf(prepared, new byte[] {(byte) 0xFF, (byte) 0xDA});
        assertArrayEquals(Arrays.copyOfRange(rocket, sos, rocket.length),
                Arrays.copyOfRange(prepared, sos2, prepared.length));
        // a JPEG without a profile, with tables, is passed through as the same array
        byte[] plain = resource("cmyk-adobe.jpg");
        assertSame(plain, JpegHeader.prepare(plain));
    }

    // ---- bad input: one line naming the file and the problem

    @Test
    void truncatedJpeg() throws IOException {
        Path file = SharedData.file("images/truncated.jpg");
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(file));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ": truncated JPEG (400 bytes; the data ends before the image "
                + "does)"), e.getMessage());
        assertEquals(file.toString(), e.source());
        assertOneLine(e);
    }

    @Test
    void jpegCutInTheMiddleOfItsScanIsAnErrorNotGray() throws IOException {
        byte[] rocket = Files.readAllBytes(SharedData.file("images/rocket.jpg"));
        for (int length : new int[] {50_000, rocket.length - 2}) {
            byte[] cut = Arrays.copyOf(rocket, length);
            ImageDecodeException e = assertThrows(ImageDecodeException.class,
                    () -> ImageDecoder.decode(cut, "cut.jpg"));
            assertEquals("cut.jpg: truncated JPEG (" + length + " bytes; the data ends before the image does)",
                    e.getMessage());
        }
    }

    @Test
    void truncatedPng() throws IOException {
        byte[] png = Files.readAllBytes(SharedData.file("images/chelsea.png"));
        byte[] cut = Arrays.copyOf(png, png.length / 2);
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(cut, "cut.png"));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().startsWith("cut.png: truncated PNG (" + cut.length + " bytes; the data ends "
                + "before the image does)"), e.getMessage());
        assertOneLine(e);
    }

    @Test
    void textFileNamedJpg(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("notes.jpg");
        Files.writeString(file, "hello, I am not a picture\n");
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(file));
        assertEquals(file + ": not a PNG or JPEG image (nor GIF, BMP or TIFF): it starts with bytes "
                + "68 65 6c 6c 6f 2c 20 49 (\"hello, I\") …", e.getMessage());
    }

    @Test
    void emptyFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("empty.png");
        Files.createFile(file);
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(file));
        assertEquals(file + ": empty file (0 bytes)", e.getMessage());
    }

    @Test
    void missingFileAndFolder(@TempDir Path dir) {
        Path missing = dir.resolve("missing.jpg");
        assertEquals(missing + ": no such file",
                assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(missing)).getMessage());
        assertEquals(dir + ": is a folder, not an image file",
                assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(dir)).getMessage());
    }

    @Test
    void hugeDimensionsAreRefusedBeforeAllocating() {
        byte[] png = pngHeaderOnly(100_000, 100_000);
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(png, "big.png"));
        assertEquals("big.png: PNG image too large: 100000x100000 = 10,000,000,000 pixels; allowed: at most 89,478,485 "
                + "pixels (against decompression bombs; raise the limit with --max-image-pixels)", e.getMessage());
    }

    @Test
    void folderOfMixedFilesGivesOneLinePerFile(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("a-good.png"), png(new BufferedImage(4, 3, BufferedImage.TYPE_3BYTE_BGR)));
        Files.writeString(dir.resolve("b-text.jpg"), "not an image");
        Files.createFile(dir.resolve("c-empty.jpg"));
        Files.copy(SharedData.file("images/truncated.jpg"), dir.resolve("d-truncated.jpg"));
        Files.write(dir.resolve("e-cut.png"), Arrays.copyOf(Files.readAllBytes(SharedData.file("images/coffee.png")),
                1000));
        Files.writeString(dir.resolve(".hidden"), "skipped");
        Files.createDirectory(dir.resolve("f-subfolder"));

        List<ImageDecoder.Decoded> results = ImageDecoder.decodeFolder(dir);
        assertEquals(List.of("a-good.png", "b-text.jpg", "c-empty.jpg", "d-truncated.jpg", "e-cut.png"),
                results.stream().map(r -> r.file().getFileName().toString()).toList());
        assertTrue(results.getFirst().ok());
        assertNull(results.getFirst().error());
        assertEquals(4, results.getFirst().image().width());
        for (ImageDecoder.Decoded r : results.subList(1, results.size())) {
            assertFalse(r.ok());
            assertNull(r.image());
            System.out.println(r.error().getMessage());
            assertTrue(r.error().getMessage().startsWith(r.file() + ": "), r.error().getMessage());
            assertOneLine(r.error());
        }
        assertTrue(results.get(1).error().problem().startsWith("not a PNG or JPEG image"));
        assertEquals("empty file (0 bytes)", results.get(2).error().problem());
        assertTrue(results.get(3).error().problem().startsWith("truncated JPEG"));
        assertTrue(results.get(4).error().problem().startsWith("truncated PNG"));
    }

    @Test
    void messagesAreOneLine() {
        ImageDecodeException e = new ImageDecodeException("x.png", "first\n  second\r\nthird");
        assertEquals("x.png: first second third", e.getMessage());
        assertNotEquals(-1, e.getMessage().indexOf("second"));
    }

    // ---- helpers

    static void assertRgb(RgbImage img, int x, int y, int r, int g, int b) {
        assertArrayEquals(new int[] {r, g, b}, new int[] {img.get(x, y, 0), img.get(x, y, 1), img.get(x, y, 2)},
                "pixel (" + x + ", " + y + ")");
    }

    private static void assertOneLine(ImageDecodeException e) {
        assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\r"), e.getMessage());
    }

    static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, "png", out), "no PNG writer for " + img);
        return out.toByteArray();
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = ImageDecoderTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new AssertionError("test resource missing: " + name);
            }
            return in.readAllBytes();
        }
    }

    private static ImageReader reader(String classPrefix) {
        for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName("jpeg"); it.hasNext(); ) {
            ImageReader r = it.next();
            if (r.getClass().getName().startsWith(classPrefix)) {
                return r;
            }
        }
        throw new AssertionError("no JPEG reader from " + classPrefix + " on the classpath");
    }

    private static int maxDiff(byte[] a, byte[] b) {
        assertEquals(b.length, a.length);
        int max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((a[i] & 0xFF) - (b[i] & 0xFF)));
        }
        return max;
    }

    private static int indexOf(byte[] data, String ascii) {
        return indexOf(data, ascii.getBytes(StandardCharsets.US_ASCII));
    }

    private static int indexOf(byte[] data, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= data.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** A PNG signature and an IHDR chunk (8-bit RGB) claiming {@code w × h}, and nothing else. */
    private static byte[] pngHeaderOnly(int w, int h) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        b.putInt(13);
        int start = b.position();
        b.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(w).putInt(h).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(b.array(), start, 17);
        b.putInt((int) crc.getValue());
        return b.array();
    }
}
