package dev.googlenet.serve;

import dev.googlenet.data.ImageDecodeException;
import dev.googlenet.data.ImageDecoder;
import dev.googlenet.data.RgbImage;
import io.helidon.webserver.http.ServerRequest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.OptionalLong;

/** What handlers read from a request: its body within the size limit, decoded images, query numbers. */
final class Requests {
    private Requests() {
    }

    /**
     * The whole body, refused with 413 when it is larger than {@code maxBytes}: at once when its Content-Length
     * says so, else as soon as the bytes read pass the limit (a chunked upload).
     */
    static byte[] body(ServerRequest req, long maxBytes) {
        OptionalLong declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > maxBytes) {
            throw tooLarge(declared.getAsLong() + " bytes", maxBytes);
        }
        int cap = (int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8);
        try (InputStream in = req.content().inputStream()) {
            if (declared.isPresent()) {
                // read into one array of the declared size: readNBytes(cap) gathers chunks and copies them again,
                // a second copy of every body (602 KB for a 224×224 tensor) for the young generation to collect
                byte[] body = new byte[(int) declared.getAsLong()];
                int n = in.readNBytes(body, 0, body.length);
                if (n < body.length) {
                    throw ApiException.badRequest("the body ended after " + n + " of the " + body.length
                            + " bytes its Content-Length announced");
                }
                return body;
            }
            byte[] body = in.readNBytes(cap);
            if (body.length > maxBytes) {
                throw tooLarge("more than " + maxBytes + " bytes", maxBytes);
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body: " + e.getMessage(), e);
        }
    }

    static ApiException tooLarge(String what, long maxBytes) {
        return new ApiException(413, "request body of " + what + " is larger than the limit of " + maxBytes
                + " bytes (--max-request-bytes)");
    }

    /** An image file's bytes decoded; an unreadable one is a 400 that says why. */
    static RgbImage image(byte[] bytes, String source) {
        if (bytes.length == 0) {
            throw ApiException.badRequest(source + " is empty: send the bytes of a PNG or JPEG image");
        }
        try {
            return ImageDecoder.decode(bytes, source);
        } catch (ImageDecodeException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** An integer query parameter in [min, max], or {@code fallback} when absent. */
    static int intQuery(ServerRequest req, String name, int fallback, int min, int max) {
        var value = req.query().first(name);
        if (value.isEmpty()) {
            return fallback;
        }
        String s = value.get();
        int v;
        try {
            v = Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("query parameter " + name + "='" + s + "' is not an integer");
        }
        if (v < min || v > max) {
            throw ApiException.badRequest("query parameter " + name + "=" + v + " is outside [" + min + ", " + max
                    + "]");
        }
        return v;
    }
}
