package dev.googlenet.serve;

import io.helidon.webserver.http.ServerRequest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A request body of known length, read in order. With a Content-Length the bytes come straight from the
 * connection, so a binary tensor lands in its float array without a byte array of the whole body first (602 KB
 * less garbage per 224×224 image, which the young collections would copy while the request waits for its batch);
 * a chunked body, whose length is not known up front, is read whole within the limit first.
 */
final class RequestBody {
    /** Bytes read from the connection at a time when converting floats; a multiple of 4. */
    private static final int CHUNK = 16 * 1024;

    private final InputStream in;
    private final long length;
    private long read;

    private RequestBody(InputStream in, long length) {
        this.in = in;
        this.length = length;
    }

    /** The body of {@code req}; one over {@code maxBytes} is a 413 before anything is read. */
    static RequestBody of(ServerRequest req, long maxBytes) {
        var declared = req.headers().contentLength();
        if (declared.isEmpty()) {
            byte[] whole = Requests.body(req, maxBytes);
            return new RequestBody(new ByteArrayInputStream(whole), whole.length);
        }
        if (declared.getAsLong() > maxBytes) {
            throw Requests.tooLarge(declared.getAsLong() + " bytes", maxBytes);
        }
        return new RequestBody(req.content().inputStream(), declared.getAsLong());
    }

    long length() {
        return length;
    }

    /** Bytes not read yet. */
    long remaining() {
        return length - read;
    }

    /** The next {@code n} bytes ({@code n <= remaining()}). */
    byte[] bytes(int n) {
        byte[] out = new byte[n];
        try {
            int got = in.readNBytes(out, 0, n);
            read += got;
            if (got < n) {
                throw ended();
            }
        } catch (IOException e) {
            throw unreadable(e);
        }
        return out;
    }

    /** The next {@code 4·out.length} bytes as little-endian FP32 values ({@code 4·out.length <= remaining()}). */
    void floats(float[] out) {
        byte[] chunk = new byte[(int) Math.min(CHUNK, 4L * out.length)];
        try {
            for (int at = 0; at < out.length; ) {
                int want = Math.min(chunk.length, 4 * (out.length - at));
                int got = in.readNBytes(chunk, 0, want);
                read += got;
                if (got < want) {
                    throw ended();
                }
                ByteBuffer.wrap(chunk, 0, want).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out, at, want / 4);
                at += want / 4;
            }
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /**
     * Lets the body go. What a refused request left unread (a 400 found in its JSON) Helidon reads past itself,
     * and the connection stays ready for the client's next request.
     */
    void finish() {
        try {
            in.close();
        } catch (IOException e) {
            // the connection is gone; there is no one left to answer
        }
    }

    private ApiException ended() {
        return ApiException.badRequest("the body ended after " + read + " of the " + length
                + " bytes its Content-Length announced");
    }

    private static UncheckedIOException unreadable(IOException e) {
        return new UncheckedIOException("cannot read the request body: " + e.getMessage(), e);
    }
}
