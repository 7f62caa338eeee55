package dev.googlenet.serve;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Triton's binary tensor data extension of the Open Inference Protocol (KServe has it too): the body is the JSON
 * request, its length in the {@code Inference-Header-Content-Length} header, followed by the raw data of each input
 * that says {@code "parameters": {"binary_data_size": bytes}}, in the order of the inputs. FP32 data is
 * little-endian floats, row-major; a BYTES element is a 4-byte little-endian length and then its bytes. It spares a
 * client the JSON text of 150,528 floats per 224×224 image (and the server parsing it); responses return an output
 * the same way when the request asks for it ({@code "binary_data": true}).
 */
final class BinaryTensors {
    static final String HEADER = "Inference-Header-Content-Length";
    static final String SIZE = "binary_data_size";
    static final String EXTENSION = "binary_tensor_data";

    private final RequestBody body;

    private BinaryTensors(RequestBody body) {
        this.body = body;
    }

    /** The body's JSON part, read, and its binary part, still to be read from the body. */
    record Body(byte[] json, BinaryTensors binary) {
    }

    /** Reads the JSON part of a body whose JSON is {@code header} bytes long; without the header all is JSON. */
    static Body split(RequestBody body, String header) {
        if (header == null) {
            return new Body(body.bytes((int) body.length()), new BinaryTensors(body));
        }
        long jsonBytes;
        try {
            jsonBytes = Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("header " + HEADER + " is '" + header + "'; it takes the JSON part's "
                    + "length in bytes");
        }
        if (jsonBytes < 0 || jsonBytes > body.length()) {
            throw ApiException.badRequest("header " + HEADER + " says the JSON part is " + jsonBytes
                    + " bytes; the body has " + body.length());
        }
        return new Body(body.bytes((int) jsonBytes), new BinaryTensors(body));
    }

    /** Checks that input {@code name}'s {@code bytes} of binary data are there, before anything reads them. */
    void require(long bytes, String name) {
        if (bytes < 0 || bytes > body.remaining()) {
            throw ApiException.badRequest("input '" + name + "' says " + SIZE + " " + bytes + " but "
                    + body.remaining() + " bytes of binary data are left in the body");
        }
    }

    /** The next {@code bytes} of binary data, for input {@code name}. */
    ByteBuffer take(long bytes, String name) {
        require(bytes, name);
        return ByteBuffer.wrap(body.bytes((int) bytes)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Binary data no input claimed: a client and server that disagree on the layout. */
    void requireConsumed() {
        if (body.remaining() > 0) {
            throw ApiException.badRequest(body.remaining() + " bytes of binary data follow the last input's");
        }
    }

    /**
     * Input {@code name}'s {@code bytes} of FP32 values, little-endian, read from the body into {@code out}; they
     * must be exactly {@code out.length} values.
     */
    void floats(long bytes, float[] out, String name) {
        if (bytes != (long) out.length * Float.BYTES) {
            throw ApiException.badRequest("input '" + name + "' has " + bytes + " bytes of FP32 data; "
                    + "its shape needs " + (long) out.length * Float.BYTES);
        }
        require(bytes, name);
        body.floats(out);
    }

    /** BYTES elements: each a 4-byte little-endian length, then that many bytes. */
    static List<byte[]> elements(ByteBuffer part, String name) {
        List<byte[]> out = new ArrayList<>();
        while (part.hasRemaining()) {
            if (part.remaining() < Integer.BYTES) {
                throw ApiException.badRequest("input '" + name + "' element " + out.size() + ": " + part.remaining()
                        + " bytes left where a 4-byte length is expected");
            }
            long length = Integer.toUnsignedLong(part.getInt());
            if (length > part.remaining()) {
                throw ApiException.badRequest("input '" + name + "' element " + out.size() + " says " + length
                        + " bytes; " + part.remaining() + " are left");
            }
            byte[] e = new byte[(int) length];
            part.get(e);
            out.add(e);
        }
        return out;
    }

    /** A body of the extension: the JSON, then the tensors' binary data in order (the header gives json.length). */
    static byte[] join(byte[] json, List<byte[]> binary) {
        int total = json.length;
        for (byte[] b : binary) {
            total = Math.addExact(total, b.length);
        }
        byte[] body = java.util.Arrays.copyOf(json, total);
        int at = json.length;
        for (byte[] b : binary) {
            System.arraycopy(b, 0, body, at, b.length);
            at += b.length;
        }
        return body;
    }

    /** FP32 values as little-endian bytes. */
    static byte[] bytes(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }
}
