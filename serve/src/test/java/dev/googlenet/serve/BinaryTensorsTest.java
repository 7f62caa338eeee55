package dev.googlenet.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.googlenet.infer.LoadedModel;
import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Triton's binary tensor data extension of the Open Inference Protocol, through a real HTTP client. */
class BinaryTensorsTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static LoadedModel tiny;
    private static InferenceServer server;
    private static URI infer;

    @BeforeAll
    static void start() {
        tiny = Fixtures.smallModel(5);
        server = InferenceServer.start(Map.of("tiny", tiny), Fixtures.config(4, Duration.ofMillis(2), 16,
                Duration.ofSeconds(30), 1_000_000));
        infer = server.uri().resolve("v2/models/tiny/infer");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theServerSaysItHasTheExtension() {
        JsonNode v2 = Fixtures.json(Fixtures.get(server.uri(), "v2"));
        assertEquals("binary_tensor_data", v2.get("extensions").get(0).asText());
    }

    @Test
    void fp32InputAndOutputAsBinaryDataGiveTheModelsLogitsExactly() throws Exception {
        Tensor input = tiny.input(List.of(Fixtures.image(1), Fixtures.image(2)));
        byte[] data = littleEndian(input.data());
        String json = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[2,3,32,32],"
                + "\"parameters\":{\"binary_data_size\":" + data.length + "}}],"
                + "\"outputs\":[{\"name\":\"logits\",\"parameters\":{\"binary_data\":true}},"
                + "{\"name\":\"probabilities\"}]}";
        HttpResponse<byte[]> r = send(json, data);
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("application/octet-stream", r.headers().firstValue("Content-Type").orElse(""));
        int jsonBytes = Integer.parseInt(r.headers().firstValue(BinaryTensors.HEADER).orElseThrow());
        JsonNode head = Reply.mapper().readTree(Arrays.copyOf(r.body(), jsonBytes));
        JsonNode logits = head.get("outputs").get(0);
        assertEquals("[2,10]", logits.get("shape").toString());
        assertEquals(80, logits.get("parameters").get("binary_data_size").asInt());
        assertTrue(head.get("outputs").get(1).has("data"), "probabilities stay JSON");
        float[] got = new float[20];
        ByteBuffer.wrap(r.body(), jsonBytes, 80).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(got);
        assertEquals(jsonBytes + 80, r.body().length);
        // binary in, binary out: no decimal text on the way, so the logits are the library's bit for bit
        assertArrayEquals(tiny.logits(input).data(), got);
    }

    @Test
    void binaryDataOutputAsksForEveryOutputAsBinary() throws Exception {
        Tensor input = tiny.input(List.of(Fixtures.image(3)));
        byte[] data = littleEndian(input.data());
        String json = "{\"parameters\":{\"binary_data_output\":true},\"inputs\":[{\"name\":\"input\","
                + "\"datatype\":\"FP32\",\"shape\":[1,3,32,32],\"parameters\":{\"binary_data_size\":" + data.length
                + "}}]}";
        HttpResponse<byte[]> r = send(json, data);
        assertEquals(200, r.statusCode());
        int jsonBytes = Integer.parseInt(r.headers().firstValue(BinaryTensors.HEADER).orElseThrow());
        assertEquals(jsonBytes + 2 * 40, r.body().length);
        float[] p = new float[10];
        ByteBuffer.wrap(r.body(), jsonBytes + 40, 40).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(p);
        assertArrayEquals(ServedModel.probabilities(tiny.logits(input).data()), p);
    }

    @Test
    void imageFilesAsBinaryBytesElements() throws Exception {
        byte[] a = Fixtures.png(50, 40, 4);
        byte[] b = Fixtures.png(41, 60, 5);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (byte[] file : List.of(a, b)) {
            data.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(file.length).array());
            data.write(file);
        }
        String json = "{\"inputs\":[{\"name\":\"image\",\"datatype\":\"BYTES\",\"shape\":[2],"
                + "\"parameters\":{\"binary_data_size\":" + data.size() + "}}],\"outputs\":[{\"name\":\"logits\"}]}";
        HttpResponse<byte[]> r = send(json, data.toByteArray());
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        JsonNode out = Reply.mapper().readTree(r.body()).get("outputs").get(0).get("data");
        float[] expected = tiny.logits(tiny.input(List.of(Fixtures.decode(a), Fixtures.decode(b)))).data();
        for (int i = 0; i < 20; i++) {
            assertEquals(expected[i], out.get(i).floatValue(), 1e-5f * (1 + Math.abs(expected[i])));
        }
    }

    @Test
    void concurrentOneImageRequestsEachGetTheirOwnImageBackWhileTheirArraysAreRecycled() throws Exception {
        InferenceServer batching = echoServer();
        URI batchedInfer = batching.uri().resolve("v2/models/tiny/infer");
        try (batching) {
            // 3 rounds: later rounds read into arrays that earlier requests handed back
            for (int round = 0; round < 3; round++) {
                int first = 100 * round;
                List<Echo> responses = Concurrent.run(12, i -> {
                    float[] image = randomImage(first + i);
                    String json = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,3,32,32],"
                            + "\"parameters\":{\"binary_data_size\":" + image.length * 4 + "}}],"
                            + "\"outputs\":[{\"name\":\"logits\",\"parameters\":{\"binary_data\":true}}]}";
                    byte[] head = json.getBytes(StandardCharsets.UTF_8);
                    try {
                        HttpResponse<byte[]> r = CLIENT.send(HttpRequest.newBuilder(batchedInfer)
                                .timeout(Fixtures.HTTP_TIMEOUT)
                                .header(BinaryTensors.HEADER, Integer.toString(head.length))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(BinaryTensors.join(head,
                                        List.of(littleEndian(image))))).build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                        int jsonBytes = Integer.parseInt(r.headers().firstValue(BinaryTensors.HEADER).orElse("0"));
                        float[] got = new float[10];
                        ByteBuffer.wrap(r.body(), jsonBytes, 40).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                                .get(got);
                        return new Echo(r.statusCode(), got);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                for (int i = 0; i < responses.size(); i++) {
                    assertEquals(200, responses.get(i).status());
                    assertArrayEquals(Arrays.copyOf(randomImage(first + i), 10), responses.get(i).values(),
                            "request " + (first + i));
                }
            }
        }
    }

    /**
     * A server whose "model" echoes: each image's logits are its first 10 values, so a request answered with
     * another request's image shows (the small model's logits hardly depend on their input). Its batches wait for
     * all 12 requests of a round: every request has read and queued its image before the first batch copies any,
     * so an array handed back too early carries another request's image.
     */
    private static InferenceServer echoServer() {
        UnaryOperator<Batcher.Compute> echo = compute -> batch -> {
            int n = batch.shape()[0], size = batch.size() / n;
            Tensor out = Tensor.zeros(n, 10);
            for (int i = 0; i < n; i++) {
                System.arraycopy(batch.data(), i * size, out.data(), i * 10, 10);
            }
            return out;
        };
        return InferenceServer.start(Map.of("tiny", tiny), Fixtures.config(12, Duration.ofMillis(400), 16,
                Duration.ofSeconds(30), 1_000_000), echo);
    }

    @Test
    void concurrentPhotoUploadsEachGetTheirOwnImageBack() throws Exception {
        try (InferenceServer batching = echoServer()) {
            for (int round = 0; round < 2; round++) {
                int first = 100 * round;
                List<HttpResponse<String>> responses = Concurrent.run(12, i -> Fixtures.post(batching.uri(),
                        "predictions/tiny?topk=10", "image/png", Fixtures.png(45, 38, first + i)));
                for (int i = 0; i < responses.size(); i++) {
                    HttpResponse<String> r = responses.get(i);
                    assertEquals(200, r.statusCode(), r.body());
                    float[] echoed = Arrays.copyOf(tiny.input(List.of(Fixtures.image(first + i))).data(), 10);
                    float[] p = ServedModel.probabilities(echoed);
                    for (JsonNode prediction : Reply.mapper().readTree(r.body())) {
                        int c = tiny.classNames().indexOf(prediction.get("className").asText());
                        assertEquals(p[c], prediction.get("probability").floatValue(), 1e-6f,
                                "upload " + (first + i) + " class " + c);
                    }
                }
            }
        }
    }

    /** A 3×32×32 image of values from {@code seed}. */
    private static float[] randomImage(int seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] image = new float[3 * 32 * 32];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) r.nextGaussian();
        }
        return image;
    }

    /** A response's status and the first 10 values it echoed. */
    private record Echo(int status, float[] values) {
    }

    @Test
    void aChunkedBodyWithoutContentLengthIsReadToo() throws Exception {
        Tensor input = tiny.input(List.of(Fixtures.image(7)));
        byte[] data = littleEndian(input.data());
        byte[] head = ("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,3,32,32],"
                + "\"parameters\":{\"binary_data_size\":" + data.length + "}}],"
                + "\"outputs\":[{\"name\":\"logits\",\"parameters\":{\"binary_data\":true}}]}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] body = BinaryTensors.join(head, List.of(data));
        HttpResponse<byte[]> r = CLIENT.send(HttpRequest.newBuilder(infer).timeout(Fixtures.HTTP_TIMEOUT)
                .header(BinaryTensors.HEADER, Integer.toString(head.length))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        int jsonBytes = Integer.parseInt(r.headers().firstValue(BinaryTensors.HEADER).orElseThrow());
        float[] got = new float[10];
        ByteBuffer.wrap(r.body(), jsonBytes, 40).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(got);
        assertArrayEquals(tiny.logits(input).data(), got);
    }

    @Test
    void aRequestRefusedBeforeItsDataIsReadLeavesTheConnectionReadyForTheNext() throws Exception {
        Tensor input = tiny.input(List.of(Fixtures.image(9)));
        byte[] data = littleEndian(input.data());
        String json = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,3,32,32],"
                + "\"parameters\":{\"binary_data_size\":" + data.length + "}}],\"outputs\":[{\"name\":\"%s\"}]}";
        try (java.net.Socket socket = new java.net.Socket(infer.getHost(), infer.getPort())) {
            socket.setSoTimeout(60_000);
            var in = new java.io.BufferedInputStream(socket.getInputStream());
            var out = socket.getOutputStream();
            // refused while parsing its JSON: the 12 KB of data behind it are never read by the handler
            out.write(rawRequest(json.formatted("nothing"), data));
            out.flush();
            RawResponse bad = RawResponse.read(in);
            assertEquals(400, bad.status());
            assertTrue(bad.body().contains("no output named 'nothing'"), bad.body());
            out.write(rawRequest(json.formatted("logits"), data));
            out.flush();
            RawResponse good = RawResponse.read(in);
            assertEquals(200, good.status(), good.body());
            JsonNode got = Reply.mapper().readTree(good.body()).get("outputs").get(0).get("data");
            float[] expected = tiny.logits(input).data();
            for (int c = 0; c < expected.length; c++) {
                assertEquals(expected[c], got.get(c).floatValue(), 1e-6f * (1 + Math.abs(expected[c])));
            }
        }
    }

    @Test
    void thePoolKeepsAtMostItsCapacityAndOnlyArraysOfItsSize() {
        ImagePool pool = new ImagePool(12, 2);
        float[] a = pool.take(), b = pool.take(), c = pool.take();
        assertEquals(12, a.length);
        assertTrue(a != b && b != c && a != c, "an empty pool allocates");
        pool.give(List.of(a, b, c, new float[5]));
        assertEquals(2, pool.available());
        assertTrue(pool.take() == b && pool.take() == a, "handed back last, taken first");
        assertEquals(0, pool.available());
    }

    /** One HTTP/1.1 request with a Content-Length, the binary extension's header and a keep-alive connection. */
    private static byte[] rawRequest(String json, byte[] data) {
        byte[] head = json.getBytes(StandardCharsets.UTF_8);
        byte[] body = BinaryTensors.join(head, List.of(data));
        String lines = "POST " + infer.getRawPath() + " HTTP/1.1\r\nHost: " + infer.getHost() + ":" + infer.getPort()
                + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + body.length + "\r\n"
                + BinaryTensors.HEADER + ": " + head.length + "\r\n\r\n";
        return BinaryTensors.join(lines.getBytes(StandardCharsets.US_ASCII), List.of(body));
    }

    /** A response's status and its body (Content-Length framed), read from a raw connection. */
    private record RawResponse(int status, String body) {
        static RawResponse read(java.io.InputStream in) throws IOException {
            String statusLine = line(in);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            int length = -1;
            for (String h; !(h = line(in)).isEmpty(); ) {
                if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(h.substring(15).strip());
                }
            }
            assertTrue(length >= 0, "the response has a Content-Length");
            return new RawResponse(status, new String(in.readNBytes(length), StandardCharsets.UTF_8));
        }

        private static String line(java.io.InputStream in) throws IOException {
            StringBuilder b = new StringBuilder();
            for (int c; (c = in.read()) != '\n'; ) {
                if (c < 0) {
                    throw new IOException("the connection closed after '" + b + "'");
                }
                if (c != '\r') {
                    b.append((char) c);
                }
            }
            return b.toString();
        }
    }

    @Test
    void badBinaryRequestsAre400NamingTheProblem() throws Exception {
        String fp32 = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,3,32,32],"
                + "\"parameters\":{\"binary_data_size\":%s}}]}";
        byte[] image = new byte[3 * 32 * 32 * 4];
        expect400(send(fp32.formatted(100), image), "has 100 bytes of FP32 data; its shape needs 12288");
        expect400(send(fp32.formatted(12288), Arrays.copyOf(image, 12290)), "2 bytes of binary data follow");
        expect400(send(fp32.formatted(8), new byte[8]), "has 8 bytes of FP32 data; its shape needs 12288");
        expect400(send(fp32.formatted(20000), image), "says binary_data_size 20000 but 12288");
        expect400(send(fp32.formatted("\"many\""), image), "it takes a number of bytes");
        String bytes = "{\"inputs\":[{\"name\":\"image\",\"datatype\":\"BYTES\",\"shape\":[1],"
                + "\"parameters\":{\"binary_data_size\":6}}]}";
        expect400(send(bytes, new byte[] {100, 0, 0, 0, 1, 2}), "element 0 says 100 bytes; 2 are left");
        HttpResponse<byte[]> header = CLIENT.send(HttpRequest.newBuilder(infer).header(BinaryTensors.HEADER, "999")
                .POST(HttpRequest.BodyPublishers.ofByteArray("{}".getBytes())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        expect400(header, "says the JSON part is 999 bytes; the body has 2");
    }

    private static void expect400(HttpResponse<byte[]> r, String problem) throws IOException {
        assertEquals(400, r.statusCode());
        String error = Reply.mapper().readTree(r.body()).get("error").asText();
        assertTrue(error.contains(problem), error);
    }

    private static HttpResponse<byte[]> send(String json, byte[] data) throws Exception {
        byte[] head = json.getBytes(StandardCharsets.UTF_8);
        return CLIENT.send(HttpRequest.newBuilder(infer).timeout(Fixtures.HTTP_TIMEOUT)
                .header("Content-Type", "application/octet-stream")
                .header(BinaryTensors.HEADER, Integer.toString(head.length))
                .POST(HttpRequest.BodyPublishers.ofByteArray(BinaryTensors.join(head, List.of(data)))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] littleEndian(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }
}
