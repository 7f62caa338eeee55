package dev.googlenet.data;

import javax.imageio.stream.ImageInputStreamImpl;
import java.io.IOException;

/**
 * An image file already in memory as an ImageIO stream, read in place. The JDK has only
 * {@code MemoryCacheImageInputStream}, which copies every byte it reads from an {@code InputStream} into cache
 * blocks of its own: for a server decoding each upload that is a second copy of the file and, in a JFR allocation
 * profile, one of the largest allocation sites per request.
 */
final class ByteArrayImageInputStream extends ImageInputStreamImpl {
    private final byte[] data;

    ByteArrayImageInputStream(byte[] data) {
        this.data = data;
    }

    @Override
    public int read() throws IOException {
        checkClosed();
        bitOffset = 0;
        return streamPos < data.length ? data[(int) streamPos++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        checkClosed();
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        bitOffset = 0;
        if (len == 0) {
            return 0;
        }
        if (streamPos >= data.length) {
            return -1;
        }
        int n = (int) Math.min(len, data.length - streamPos);
        System.arraycopy(data, (int) streamPos, b, off, n);
        streamPos += n;
        return n;
    }

    @Override
    public long length() {
        return data.length;
    }
}
