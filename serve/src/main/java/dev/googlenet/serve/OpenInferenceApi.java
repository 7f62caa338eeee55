package dev.googlenet.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.googlenet.data.RgbImage;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * KServe's Open Inference Protocol v2 (what Triton, KServe and DJL Serving speak), REST/JSON binding: server and
 * model metadata, readiness, and inference. A model has two inputs, of which a request sends one: {@code input},
 * FP32 [N, C, H, W] already preprocessed, or {@code image}, BYTES [N] whose elements are image files (PNG or JPEG)
 * encoded as base64 strings, which the server preprocesses as the model wants. Outputs are {@code logits} and
 * {@code probabilities}, FP32 [N, classes]; a request may ask for either. Tensors may also travel as binary data
 * after the JSON ({@link BinaryTensors}, Triton's extension).
 */
final class OpenInferenceApi {
    static final String FP32_INPUT = "input";
    static final String BYTES_INPUT = "image";
    static final String LOGITS = "logits";
    static final String PROBABILITIES = "probabilities";
    static final String VERSION = "1";

    private final ServeConfig config;

    OpenInferenceApi(ServeConfig config) {
        this.config = config;
    }

    /** {@code GET /v2}. */
    static Reply server() {
        return Reply.json(Map.of("name", "googlenet-serve", "version", InferenceServer.VERSION,
                "extensions", List.of(BinaryTensors.EXTENSION)));
    }

    /** {@code GET /v2/models/{name}}. */
    static Reply metadata(ServedModel m) {
        int[] s = m.imageShape();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("name", m.name());
        meta.put("versions", List.of(VERSION));
        meta.put("platform", "googlenet-java");
        meta.put("inputs", List.of(
                tensor(FP32_INPUT, "FP32", List.of(-1, s[0], s[1], s[2])),
                tensor(BYTES_INPUT, "BYTES", List.of(-1))));
        meta.put("outputs", List.of(
                tensor(LOGITS, "FP32", List.of(-1, m.numClasses())),
                tensor(PROBABILITIES, "FP32", List.of(-1, m.numClasses()))));
        return Reply.json(meta);
    }

    /** {@code GET /v2/models/{name}/ready}. */
    static Reply ready(ServedModel m, boolean ready) {
        return Reply.json(ready ? 200 : 503, Map.of("name", m.name(), "ready", ready));
    }

    /** {@code POST /v2/models/{name}/infer}. */
    Reply infer(ServedModel m, ServerRequest req) {
        InferenceServer.refuseWhenFull(m);
        RequestBody whole = RequestBody.of(req, config.maxRequestBytes());
        List<float[]> logits;
        JsonNode request;
        List<Output> wanted;
        try {
            BinaryTensors.Body body = BinaryTensors.split(whole,
                    req.headers().first(HeaderNames.create(BinaryTensors.HEADER)).orElse(null));
            request = parse(body.json());
            JsonNode inputs = request.get("inputs");
            if (inputs == null || !inputs.isArray() || inputs.size() != 1) {
                throw ApiException.badRequest("'inputs' must be an array of one tensor: '" + FP32_INPUT
                        + "' (FP32) or '" + BYTES_INPUT + "' (BYTES)");
            }
            wanted = outputs(request.get("outputs"),
                    request.path("parameters").path("binary_data_output").asBoolean(false));
            List<float[]> images = images(m, inputs.get(0), body.binary());
            body.binary().requireConsumed();
            logits = m.logits(images, config.requestTimeout());
            m.recycle(images); // the batches have copied them
        } finally {
            whole.finish();
        }

        List<Object> out = new ArrayList<>();
        List<byte[]> binary = new ArrayList<>();
        for (Output o : wanted) {
            float[] flat = new float[logits.size() * m.numClasses()];
            for (int i = 0; i < logits.size(); i++) {
                float[] row = o.name().equals(LOGITS) ? logits.get(i) : ServedModel.probabilities(logits.get(i));
                System.arraycopy(row, 0, flat, i * m.numClasses(), m.numClasses());
            }
            Map<String, Object> t = tensor(o.name(), "FP32", List.of(logits.size(), m.numClasses()));
            if (o.binary()) {
                binary.add(BinaryTensors.bytes(flat));
                t.put("parameters", Map.of(BinaryTensors.SIZE, flat.length * Float.BYTES));
            } else {
                t.put("data", flat);
            }
            out.add(t);
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("model_name", m.name());
        response.put("model_version", VERSION);
        if (request.hasNonNull("id")) {
            response.put("id", request.get("id").asText());
        }
        response.put("outputs", out);
        return binary.isEmpty() ? Reply.json(response) : withBinary(response, binary);
    }

    /** The JSON response followed by the binary outputs, the JSON's length in the extension's header. */
    private static Reply withBinary(Map<String, Object> response, List<byte[]> binary) {
        byte[] json = Reply.json(response).body();
        return new Reply(200, "application/octet-stream", BinaryTensors.join(json, binary),
                Map.of(BinaryTensors.HEADER, Integer.toString(json.length)));
    }

    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw ApiException.badRequest("empty body: send an inference request as JSON");
        }
        try {
            JsonNode n = Reply.mapper().readTree(body);
            if (n == null || !n.isObject()) {
                throw ApiException.badRequest("the request must be a JSON object with 'inputs'");
            }
            return n;
        } catch (IOException e) {
            throw ApiException.badRequest("the body is not valid JSON: " + e.getMessage().lines().findFirst()
                    .orElse(""));
        }
    }

    /** An output asked for, and whether it goes back as binary data. */
    private record Output(String name, boolean binary) {
    }

    /** The outputs asked for, all of them when the request names none. */
    private static List<Output> outputs(JsonNode outputs, boolean binaryByDefault) {
        if (outputs == null || outputs.isNull()) {
            return List.of(new Output(LOGITS, binaryByDefault), new Output(PROBABILITIES, binaryByDefault));
        }
        if (!outputs.isArray()) {
            throw ApiException.badRequest("'outputs' must be an array of {\"name\": ...}");
        }
        List<Output> names = new ArrayList<>();
        for (JsonNode o : outputs) {
            String name = o.path("name").asText("");
            if (!name.equals(LOGITS) && !name.equals(PROBABILITIES)) {
                throw ApiException.badRequest("no output named '" + name + "': outputs are '" + LOGITS + "' and '"
                        + PROBABILITIES + "'");
            }
            names.add(new Output(name, o.path("parameters").path("binary_data").asBoolean(binaryByDefault)));
        }
        return names;
    }

    /**
     * The request's images, preprocessed: from an FP32 tensor as they are, from BYTES decoded and prepared; the
     * data from the JSON's {@code data} or, with {@code binary_data_size}, from the body's binary part.
     */
    private static List<float[]> images(ServedModel m, JsonNode input, BinaryTensors binary) {
        String name = input.path("name").asText("");
        String datatype = input.path("datatype").asText("");
        List<Integer> shape = shape(input.get("shape"), name);
        JsonNode size = input.path("parameters").get(BinaryTensors.SIZE);
        JsonNode data = null;
        if (size != null) {
            if (!size.isIntegralNumber()) {
                throw ApiException.badRequest("input '" + name + "' has " + BinaryTensors.SIZE + " " + size
                        + "; it takes a number of bytes");
            }
            binary.require(size.asLong(), name);
        } else {
            data = input.get("data");
            if (data == null || !data.isArray()) {
                throw ApiException.badRequest("input '" + name + "' has no 'data' array (nor parameters."
                        + BinaryTensors.SIZE + " for binary data after the JSON)");
            }
        }
        if (name.equals(FP32_INPUT)) {
            requireDatatype(name, datatype, "FP32");
            return fp32(m, shape, data, size == null ? null : binary, size == null ? 0 : size.asLong());
        }
        if (name.equals(BYTES_INPUT)) {
            requireDatatype(name, datatype, "BYTES");
            return bytes(m, shape, size == null ? base64Files(data)
                    : BinaryTensors.elements(binary.take(size.asLong(), name), BYTES_INPUT));
        }
        throw ApiException.badRequest("no input named '" + name + "': send '" + FP32_INPUT + "' (FP32 [N,"
                + String.join(",", dims(m)) + "]) or '" + BYTES_INPUT + "' (BYTES [N], image files)");
    }

    /** FP32 images from the JSON's {@code data}, or (when {@code binary} is not null) {@code bytes} of its data. */
    private static List<float[]> fp32(ServedModel m, List<Integer> shape, JsonNode data, BinaryTensors binary,
                                      long bytes) {
        int[] s = m.imageShape();
        if (shape.size() != 4 || shape.get(0) < 1 || shape.get(1) != s[0] || shape.get(2) != s[1]
                || shape.get(3) != s[2]) {
            throw ApiException.badRequest("input '" + FP32_INPUT + "' has shape " + shape + "; model '" + m.name()
                    + "' takes [N," + String.join(",", dims(m)) + "] with N >= 1");
        }
        int n = shape.get(0), size = s[0] * s[1] * s[2];
        // the common request, one image: its values go straight into an array the batches recycle
        float[] flat = n == 1 ? m.imageBuffer() : new float[Math.multiplyExact(n, size)];
        if (binary != null) {
            binary.floats(bytes, flat, FP32_INPUT);
        } else {
            int count = flatten(data, flat, 0);
            if (count != flat.length) {
                throw ApiException.badRequest("input '" + FP32_INPUT + "' has " + count + " values; shape " + shape
                        + " needs " + flat.length);
            }
        }
        if (n == 1) {
            return List.of(flat);
        }
        List<float[]> images = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            images.add(java.util.Arrays.copyOfRange(flat, i * size, (i + 1) * size));
        }
        return images;
    }

    /** Copies numbers from nested arrays (row-major, as the protocol allows) into {@code out}; returns the count. */
    private static int flatten(JsonNode node, float[] out, int at) {
        for (JsonNode v : node) {
            if (v.isArray()) {
                at = flatten(v, out, at);
            } else if (v.isNumber()) {
                if (at < out.length) {
                    out[at] = v.floatValue();
                }
                at++;
            } else {
                throw ApiException.badRequest("input '" + FP32_INPUT + "' holds " + v.getNodeType().name()
                        .toLowerCase() + " " + v + " where FP32 numbers are expected");
            }
        }
        return at;
    }

    /** BYTES elements sent in the JSON: base64 strings. */
    private static List<byte[]> base64Files(JsonNode data) {
        List<byte[]> files = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            JsonNode e = data.get(i);
            if (!e.isTextual()) {
                throw ApiException.badRequest("input '" + BYTES_INPUT + "' element " + i
                        + " is not a string (a base64-encoded image file)");
            }
            try {
                files.add(Base64.getDecoder().decode(e.asText()));
            } catch (IllegalArgumentException bad) {
                throw ApiException.badRequest("input '" + BYTES_INPUT + "' element " + i + " is not base64: "
                        + bad.getMessage());
            }
        }
        return files;
    }

    private static List<float[]> bytes(ServedModel m, List<Integer> shape, List<byte[]> files) {
        if (shape.size() != 1 || shape.getFirst() != files.size() || files.isEmpty()) {
            throw ApiException.badRequest("input '" + BYTES_INPUT + "' has shape " + shape + " and " + files.size()
                    + " elements; it takes [N] with N >= 1 image files");
        }
        List<float[]> images = new ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            RgbImage image = Requests.image(files.get(i), "input '" + BYTES_INPUT + "' element " + i);
            images.add(m.preprocess(image));
        }
        return images;
    }

    private static List<Integer> shape(JsonNode shape, String name) {
        if (shape == null || !shape.isArray()) {
            throw ApiException.badRequest("input '" + name + "' has no 'shape' array");
        }
        List<Integer> dims = new ArrayList<>();
        for (JsonNode d : shape) {
            if (!d.canConvertToInt() || !d.isIntegralNumber()) {
                throw ApiException.badRequest("input '" + name + "' has a shape that is not integers: " + shape);
            }
            dims.add(d.intValue());
        }
        return dims;
    }

    private static void requireDatatype(String name, String datatype, String expected) {
        if (!datatype.equals(expected)) {
            throw ApiException.badRequest("input '" + name + "' has datatype '" + datatype + "'; it takes "
                    + expected);
        }
    }

    private static List<String> dims(ServedModel m) {
        return java.util.Arrays.stream(m.imageShape()).mapToObj(Integer::toString).toList();
    }

    private static Map<String, Object> tensor(String name, String datatype, List<Integer> shape) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", name);
        t.put("datatype", datatype);
        t.put("shape", shape);
        return t;
    }

}
