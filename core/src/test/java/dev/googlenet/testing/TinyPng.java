package dev.googlenet.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.IntUnaryOperator;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A tiny PNG encoder for tests, written from the PNG specification: it chooses each row's filter (ImageIO's
 * writer chooses adaptively, so it cannot be made to use each one) and writes any chunks, well-formed or not.
 * Also {@link #withCrcsFixed}, which lets fuzzed PNGs past CRC checks.
 */
public final class TinyPng {
    public static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

    private TinyPng() {
    }

    /** A non-interlaced image: IHDR, then {@code before} (e.g. PLTE, tRNS, text), one IDAT, IEND. */
    public static byte[] encode(int width, int height, int depth, int colorType, byte[] samples,
                                IntUnaryOperator filterOfRow, byte[]... before) {
        byte[][] chunks = new byte[before.length + 3][];
        chunks[0] = ihdr(width, height, depth, colorType, 0);
        System.arraycopy(before, 0, chunks, 1, before.length);
        chunks[before.length + 1] = chunk("IDAT", zlib(filter(samples, height, rowBytes(width, depth, colorType),
                distance(depth, colorType), filterOfRow)));
        chunks[before.length + 2] = chunk("IEND", new byte[0]);
        return file(chunks);
    }

    /** The signature, then the chunks as they are. */
    public static byte[] file(byte[]... chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(SIGNATURE);
        for (byte[] c : chunks) {
            out.writeBytes(c);
        }
        return out.toByteArray();
    }

    /** Length, type, data and CRC. */
    public static byte[] chunk(String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length).putInt(data.length)
                .put(type.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 4, 4 + data.length);
        return b.putInt((int) crc.getValue()).array();
    }

    public static byte[] ihdr(int width, int height, int depth, int colorType, int interlace) {
        return chunk("IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) depth)
                .put((byte) colorType).put((byte) 0).put((byte) 0).put((byte) interlace).array());
    }

    public static int channels(int colorType) {
        return switch (colorType) {
            case 2 -> 3;
            case 4 -> 2;
            case 6 -> 4;
            default -> 1;
        };
    }

    public static int rowBytes(int width, int depth, int colorType) {
        return (width * channels(colorType) * depth + 7) / 8;
    }

    private static int distance(int depth, int colorType) {
        return Math.max(1, channels(colorType) * depth / 8);
    }

    /** Rows of packed samples, each given its filter type byte and filtered as the spec says. */
    public static byte[] filter(byte[] samples, int height, int rowBytes, int distance, IntUnaryOperator filterOfRow) {
        byte[] out = new byte[height * (1 + rowBytes)];
        for (int y = 0; y < height; y++) {
            int f = filterOfRow.applyAsInt(y);
            out[y * (1 + rowBytes)] = (byte) f;
            for (int i = 0; i < rowBytes; i++) {
                int x = samples[y * rowBytes + i] & 0xFF;
                int a = i >= distance ? samples[y * rowBytes + i - distance] & 0xFF : 0;
                int b = y > 0 ? samples[(y - 1) * rowBytes + i] & 0xFF : 0;
                int c = y > 0 && i >= distance ? samples[(y - 1) * rowBytes + i - distance] & 0xFF : 0;
                int prediction = switch (f) {
                    case 0 -> 0;
                    case 1 -> a;
                    case 2 -> b;
                    case 3 -> (a + b) / 2;
                    case 4 -> paeth(a, b, c);
                    default -> throw new IllegalArgumentException("filter type " + f);
                };
                out[y * (1 + rowBytes) + 1 + i] = (byte) (x - prediction);
            }
        }
        return out;
    }

    /** The predictor as the PNG specification writes it. */
    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    public static byte[] zlib(byte[] data) {
        Deflater deflater = new Deflater(9);
        try {
            deflater.setInput(data);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (!deflater.finished()) {
                out.write(buf, 0, deflater.deflate(buf));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    /**
     * A copy with the CRC of every chunk that lies wholly inside the file recomputed (the same array when it
     * does not start with the PNG signature), so that a mutant is judged on its content, not on its CRCs.
     */
    public static byte[] withCrcsFixed(byte[] png) {
        if (png.length < 8 || !java.util.Arrays.equals(png, 0, 8, SIGNATURE, 0, 8)) {
            return png;
        }
        byte[] out = png.clone();
        ByteBuffer b = ByteBuffer.wrap(out);
        CRC32 crc = new CRC32();
        for (long p = 8; p + 12 <= out.length; ) {
            long length = b.getInt((int) p) & 0xFFFFFFFFL;
            if (p + 12 + length > out.length) {
                break;
            }
            crc.reset();
            crc.update(out, (int) p + 4, 4 + (int) length);
            b.putInt((int) (p + 8 + length), (int) crc.getValue());
            p += 12 + length;
        }
        return out;
    }
}
