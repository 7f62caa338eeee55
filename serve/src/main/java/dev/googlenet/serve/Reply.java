package dev.googlenet.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A response before it is written: status, content type, body and extra headers. Handlers return one; the server
 * writes it and counts its status in one place.
 */
record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
    static final String JSON = "application/json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    Reply {
        headers = Map.copyOf(headers);
    }

    /** {@code value} (maps, lists, records, arrays) as JSON. */
    static Reply json(int status, Object value) {
        try {
            return new Reply(status, JSON, MAPPER.writeValueAsBytes(value), Map.of());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    static Reply json(Object value) {
        return json(200, value);
    }

    static Reply text(String contentType, String body) {
        return new Reply(200, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static Reply bytes(String contentType, byte[] body) {
        return new Reply(200, contentType, body, Map.of());
    }

    /** {@code {"error": message}}, the shape KServe's protocol gives errors; Retry-After when the error says. */
    static Reply error(ApiException e) {
        Reply r = json(e.status(), Map.of("error", e.getMessage()));
        return e.retryAfterSeconds() > 0
                ? new Reply(r.status(), r.contentType(), r.body(), Map.of("Retry-After",
                        Integer.toString(e.retryAfterSeconds())))
                : r;
    }

    /** The shared JSON mapper (thread-safe once configured). */
    static ObjectMapper mapper() {
        return MAPPER;
    }
}
