package dev.googlenet.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads files into heap memory a megabyte at a time. A channel read into a heap buffer goes through a temporary
 * direct buffer as large as the read, which the JDK then keeps cached for the thread: reading a 26 MB model in one
 * call would leave 26 MB of native memory behind for the life of the process.
 */
public final class FileBytes {
    private static final int CHUNK = 1 << 20;

    private FileBytes() {
    }

    /** The whole file (at most 2 GiB − 1). */
    public static byte[] read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": " + size + " bytes is more than one array holds (2 GiB)");
            }
            return read(ch, file, 0, (int) size).array();
        }
    }

    /** {@code length} bytes from {@code position}, little-endian; an {@link EOFException} naming the file if short. */
    public static ByteBuffer read(FileChannel ch, Path file, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            buf.limit(Math.min(length, buf.position() + CHUNK));
            if (ch.read(buf, position + buf.position()) < 0) {
                throw new EOFException(file + ": file ended early (was it changed while being read?)");
            }
            buf.limit(length);
        }
        return buf.clear();
    }
}
