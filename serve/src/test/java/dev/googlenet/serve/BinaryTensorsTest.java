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
