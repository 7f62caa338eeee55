package dev.googlenet.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * An IDX file (the format of MNIST and Fashion-MNIST): two zero bytes, an element type, the number of
 * dimensions, each dimension as a big-endian 32-bit integer, then the elements in row-major order. Only unsigned
 * bytes (type {@code 0x08}) are read, which is what the MNIST family uses. Files may be gzipped (recognised by
 * their first bytes, not their name).
 *
 * <p>Sizes are checked before anything large is allocated: the header's dimensions must describe at most
 * {@link #MAX_ELEMENTS} elements and must agree with the file's length (for a gzipped file, with the
 * uncompressed length its trailer records). Every problem is an {@link IOException} whose message starts with
 * the file.
 *
 * @param dims the dimensions, e.g. {@code [60000, 28, 28]} for images or {@code [60000]} for labels
 * @param data the elements, unsigned bytes (read them as {@code b & 0xFF})
 */
public record IdxFile(int[] dims, byte[] data) {
    /** The largest number of elements read (a Java array's limit, about 2 GiB). */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    static final int TYPE_UBYTE = 0x08;
    private static final int MAX_DIMS = 8;

    public IdxFile {
        dims = dims.clone();
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int i) {
        return dims[i];
    }

    /** Reads an IDX file, gzipped or not. */
    public static IdxFile read(Path file) throws IOException {
        String source = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new IOException(source + ": no such file");
        }
        long length = Files.size(file);
        byte[] start = new byte[2];
        Long isize = null;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.wrap(start);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // reading the first two bytes
            }
            if (isGzip(start, b.position()) && length >= 18) {
                ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                ch.position(length - 4);
                while (trailer.hasRemaining() && ch.read(trailer) >= 0) {
                    // the gzip trailer's ISIZE: uncompressed length mod 2^32
                }
                isize = Integer.toUnsignedLong(trailer.flip().getInt());
            }
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return parse(raw, source, length, isize);
        }
    }

    /** Reads IDX bytes held in memory (gzipped or not); {@code source} names them in errors. */
    public static IdxFile read(byte[] bytes, String source) throws IOException {
        Long isize = null;
        if (isGzip(bytes, bytes.length) && bytes.length >= 18) {
            isize = Integer.toUnsignedLong(ByteBuffer.wrap(bytes, bytes.length - 4, 4)
                    .order(ByteOrder.LITTLE_ENDIAN).getInt());
        }
        return parse(new ByteArrayInputStream(bytes), source, bytes.length, isize);
    }

    private static boolean isGzip(byte[] start, int available) {
        return available >= 2 && (start[0] & 0xFF) == 0x1F && (start[1] & 0xFF) == 0x8B;
    }

    /**
     * @param length bytes of the (possibly compressed) input
     * @param isize  for gzipped input, the uncompressed length mod 2^32 from its trailer; null when not gzipped
     */
    private static IdxFile parse(InputStream in, String source, long length, Long isize) throws IOException {
        boolean gz = isize != null;
        if (!gz && length >= 2) {
            in.mark(2);
            int b0 = in.read(), b1 = in.read();
            in.reset();
            if (b0 == 0x1F && b1 == 0x8B) {
                throw new IOException(source + ": truncated gzip file (" + length + " bytes)");
            }
        }
        try (InputStream data = gz ? new GZIPInputStream(in, 1 << 16) : in) {
            byte[] magic = readHeader(data, 4, source, "the 4-byte magic number");
            if (magic[0] != 0 || magic[1] != 0) {
                throw new IOException(source + ": not an IDX file: it starts with bytes " + hex(magic)
                        + " (an IDX file starts with 00 00, a type and the number of dimensions)");
            }
            int type = magic[2] & 0xFF, rank = magic[3] & 0xFF;
            if (type != TYPE_UBYTE) {
                throw new IOException(source + ": IDX element type 0x" + String.format(Locale.ROOT, "%02X", type)
                        + " (" + typeName(type) + ") is not supported: only unsigned bytes (0x08), as in MNIST");
            }
            if (rank < 1 || rank > MAX_DIMS) {
                throw new IOException(source + ": IDX header declares " + rank + " dimensions (1 to " + MAX_DIMS
                        + " supported)");
            }
            ByteBuffer dimBytes = ByteBuffer.wrap(readHeader(data, 4 * rank, source, rank + " dimensions"))
                    .order(ByteOrder.BIG_ENDIAN);
            int[] dims = new int[rank];
            long elements = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = dimBytes.getInt();
                if (dims[i] < 0) {
                    throw new IOException(source + ": IDX dimension " + i + " is negative ("
                            + Integer.toUnsignedString(dims[i]) + " as unsigned)");
                }
                elements = Math.multiplyExact(elements, Math.max(dims[i], 1));
                if (elements > MAX_ELEMENTS) {
                    throw new IOException(source + ": IDX header declares " + shape(dims, i + 1)
                            + "… elements, more than the " + MAX_ELEMENTS + " that can be read");
                }
            }
            for (int d : dims) {
                if (d == 0) {
                    elements = 0;
                }
            }
            long expected = 4L + 4L * rank + elements;
            if (!gz && length != expected) {
                throw new IOException(source + ": IDX header declares " + shape(dims, rank) + " = " + elements
                        + " bytes of data, but the file has " + (length - 4 - 4L * rank)
                        + (length < expected ? " (truncated)" : " (trailing bytes)"));
            }
            if (gz && (expected & 0xFFFFFFFFL) != isize) {
                throw new IOException(source + ": IDX header declares " + shape(dims, rank) + " = " + elements
                        + " bytes of data (" + expected + " in all), but the gzip trailer records " + isize
                        + " uncompressed bytes (truncated or not this file's header)");
            }
            byte[] values = data.readNBytes((int) elements);
            if (values.length != elements) {
                throw new IOException(source + ": truncated: IDX header declares " + elements
                        + " bytes of data, only " + values.length + " present");
            }
            if (data.read() != -1) {
                throw new IOException(source + ": trailing bytes after the " + elements + " declared by the header");
            }
            return new IdxFile(dims, values);
        } catch (ZipException | EOFException e) {
            throw new IOException(source + ": corrupt gzip data: " + e.getMessage(), e);
        }
    }

    private static byte[] readHeader(InputStream in, int n, String source, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new IOException(source + ": too short for an IDX file: " + what + " needs " + n + " bytes, got "
                    + b.length);
        }
        return b;
    }

    private static String shape(int[] dims, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : "×").append(Integer.toUnsignedString(dims[i]));
        }
        return sb.toString();
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(sb.isEmpty() ? "" : " ").append(String.format(Locale.ROOT, "%02X", x & 0xFF));
        }
        return sb.toString();
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0x09 -> "signed byte";
            case 0x0B -> "short";
            case 0x0C -> "int";
            case 0x0D -> "float";
            case 0x0E -> "double";
            default -> "unknown";
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdxFile f && Arrays.equals(dims, f.dims) && Arrays.equals(data, f.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(dims) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "IdxFile" + Arrays.toString(dims);
    }
}
