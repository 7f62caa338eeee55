package dev.googlenet.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.googlenet.infer.ImageClassifier;
import dev.googlenet.infer.LoadedModel;
import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.googlenet.serve.Fixtures.get;
import static dev.googlenet.serve.Fixtures.json;
import static dev.googlenet.serve.Fixtures.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every endpoint and error code through a real HTTP client, against the in-process model's own answers. */
class EndpointsTest {
    private static final long MAX_BYTES = 200_000;
    private static LoadedModel tiny;
    private static LoadedModel other;
    private static InferenceServer server;
    private static URI base;

    @BeforeAll
    static void start() {
        tiny = Fixtures.smallModel(1);
        other = Fixtures.smallModel(2);
        Map<String, LoadedModel> models = new LinkedHashMap<>();
        models.put("tiny", tiny);
        models.put("other", other);
        server = InferenceServer.start(models, Fixtures.config(4, Duration.ofMillis(2), 64, Duration.ofSeconds(30),
                MAX_BYTES));
        base = server.uri();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void listensOnLoopbackAtTheChosenFreePort() {
        assertTrue(server.port() > 0);
        assertEquals("127.0.0.1", base.getHost());
        assertEquals(List.of("tiny", "other"), server.modelNames());
    }

    @Test
    void serverMetadataAndHealth() {
        JsonNode v2 = json(get(base, "v2"));
        assertEquals("googlenet-serve", v2.get("name").asText());
        assertTrue(v2.get("extensions").isArray());
        assertEquals(200, get(base, "v2/health/live").statusCode());
        assertTrue(json(get(base, "v2/health/live")).get("live").asBoolean());
        assertTrue(json(get(base, "v2/health/ready")).get("ready").asBoolean());
        HttpResponse<String> ping = get(base, "ping");
        assertEquals(200, ping.statusCode());
        assertEquals("Healthy", json(ping).get("status").asText());
    }

    @Test
    void modelMetadataGivesInputsAndOutputsWithShapesAndDatatypes() {
        JsonNode meta = json(get(base, "v2/models/tiny"));
        assertEquals("tiny", meta.get("name").asText());
        assertEquals("[\"1\"]", meta.get("versions").toString());
        assertEquals("{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,3,32,32]}",
                meta.get("inputs").get(0).toString());
        assertEquals("{\"name\":\"image\",\"datatype\":\"BYTES\",\"shape\":[-1]}", meta.get("inputs").get(1).toString());
        assertEquals("{\"name\":\"logits\",\"datatype\":\"FP32\",\"shape\":[-1,10]}",
                meta.get("outputs").get(0).toString());
        assertEquals("probabilities", meta.get("outputs").get(1).get("name").asText());
        JsonNode ready = json(get(base, "v2/models/other/ready"));
        assertEquals("other", ready.get("name").asText());
        assertTrue(ready.get("ready").asBoolean());
        JsonNode list = json(get(base, "models")).get("models");
        assertEquals(2, list.size());
        assertEquals("tiny", list.get(0).get("modelName").asText());
        assertTrue(list.get(0).get("explainable").asBoolean());
    }

    @Test
    void unknownModelsAndRoutesAre404WithAJsonErrorNamingThem() {
        for (String path : List.of("v2/models/nope", "v2/models/nope/ready")) {
            HttpResponse<String> r = get(base, path);
            assertEquals(404, r.statusCode(), path);
            assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
            assertTrue(json(r).get("error").asText().contains("'nope'"), r.body());
        }
        HttpResponse<String> infer = post(base, "v2/models/nope/infer", "application/json", "{}".getBytes());
        assertEquals(404, infer.statusCode());
        assertTrue(json(infer).get("error").asText().contains("served: [tiny, other]"), infer.body());
        assertEquals(404, post(base, "predictions/nope", "image/png", Fixtures.png(40, 40, 1)).statusCode());
        HttpResponse<String> route = get(base, "v3/whatever");
        assertEquals(404, route.statusCode());
        assertTrue(json(route).get("error").asText().contains("GET /v3/whatever"), route.body());
    }

    @Test
    void inferWithFp32TensorsGivesTheModelsLogitsAndProbabilities() {
        Tensor input = tiny.input(List.of(Fixtures.image(1), Fixtures.image(2)));
        String request = "{\"id\":\"req-7\",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[2,3,32,32],"
                + "\"data\":" + floats(input.data()) + "}]}";
        HttpResponse<String> r = post(base, "v2/models/tiny/infer", "application/json", request.getBytes());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = json(r);
        assertEquals("tiny", body.get("model_name").asText());
        assertEquals("1", body.get("model_version").asText());
        assertEquals("req-7", body.get("id").asText());
        JsonNode logits = body.get("outputs").get(0);
        assertEquals("logits", logits.get("name").asText());
        assertEquals("FP32", logits.get("datatype").asText());
        assertEquals("[2,10]", logits.get("shape").toString());
        float[] expected = tiny.logits(input).data();
        assertEquals(20, logits.get("data").size());
        for (int i = 0; i < 20; i++) {
            assertEquals(expected[i], logits.get("data").get(i).floatValue(), 1e-5f * (1 + Math.abs(expected[i])));
        }
        JsonNode p = body.get("outputs").get(1).get("data");
        double sum = 0;
        for (int i = 0; i < 10; i++) {
            sum += p.get(i).doubleValue();
        }
        assertEquals(1.0, sum, 1e-4);
    }

    @Test
    void inferAcceptsNestedDataAndAsksForOneOutput() {
        float[] flat = tiny.input(List.of(Fixtures.image(3))).data();
        StringBuilder nested = new StringBuilder("[[");
        for (int c = 0; c < 3; c++) {
            nested.append(c == 0 ? "[" : ",[");
            for (int y = 0; y < 32; y++) {
                float[] row = java.util.Arrays.copyOfRange(flat, (c * 32 + y) * 32, (c * 32 + y + 1) * 32);
                nested.append(y == 0 ? "" : ",").append(floats(row));
            }
            nested.append("]");
        }
        nested.append("]]");
        String request = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,3,32,32],\"data\":"
                + nested + "}],\"outputs\":[{\"name\":\"probabilities\"}]}";
        JsonNode body = json(post(base, "v2/models/tiny/infer", "application/json", request.getBytes()));
        assertEquals(1, body.get("outputs").size(), body.toString());
        assertEquals("probabilities", body.get("outputs").get(0).get("name").asText());
        float[] p = ServedModel.probabilities(tiny.logits(Tensor.of(flat, 1, 3, 32, 32)).data());
        assertEquals(p[4], body.get("outputs").get(0).get("data").get(4).floatValue(), 1e-5f);
        assertFalse(body.has("id"));
    }

    @Test
    void inferWithImageBytesPreprocessesOnTheServer() {
        byte[] png = Fixtures.png(50, 40, 4);
        String request = "{\"inputs\":[{\"name\":\"image\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\""
                + Base64.getEncoder().encodeToString(png) + "\"]}],\"outputs\":[{\"name\":\"logits\"}]}";
        HttpResponse<String> r = post(base, "v2/models/other/infer", "application/json", request.getBytes());
        assertEquals(200, r.statusCode(), r.body());
        float[] expected = other.logits(other.input(List.of(Fixtures.decode(png)))).data();
        JsonNode data = json(r).get("outputs").get(0).get("data");
        for (int i = 0; i < 10; i++) {
            assertEquals(expected[i], data.get(i).floatValue(), 1e-5f * (1 + Math.abs(expected[i])));
        }
    }

    @Test
    void badInferenceRequestsAre400NamingTheProblem() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("not json", "not valid JSON");
        cases.put("", "empty body");
        cases.put("[1,2]", "JSON object");
        cases.put("{\"inputs\":[]}", "array of one tensor");
        cases.put(fp32("FP32", "[1,3,16,16]", "[1,2]"), "shape [1, 3, 16, 16]");
        cases.put(fp32("INT64", "[1,3,32,32]", "[1]"), "datatype 'INT64'");
        cases.put(fp32("FP32", "[1,3,32,32]", "[1,2,3]"), "has 3 values; shape [1, 3, 32, 32] needs 3072");
        cases.put(fp32("FP32", "[1,3,32,32]", "[\"a\"]"), "where FP32 numbers are expected");
        cases.put(fp32("FP32", "[1,3,32.5,32]", "[1]"), "not integers");
        cases.put("{\"inputs\":[{\"name\":\"pixels\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]}",
                "no input named 'pixels'");
        cases.put("{\"inputs\":[{\"name\":\"image\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"%%%\"]}]}",
                "not base64");
        cases.put("{\"inputs\":[{\"name\":\"image\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\""
                + Base64.getEncoder().encodeToString("hello".getBytes()) + "\"]}]}", "not a PNG or JPEG");
        cases.put("{\"inputs\":[{\"name\":\"image\",\"datatype\":\"BYTES\",\"shape\":[2],\"data\":[\"\"]}]}",
                "shape [2] and 1 elements");
        cases.put("{\"inputs\":[" + fp32Input() + "],\"outputs\":[{\"name\":\"softmax\"}]}", "no output named 'softmax'");
        for (var c : cases.entrySet()) {
            HttpResponse<String> r = post(base, "v2/models/tiny/infer", "application/json",
                    c.getKey().getBytes(StandardCharsets.UTF_8));
            assertEquals(400, r.statusCode(), c.getKey());
            String error = json(r).get("error").asText();
            assertTrue(error.contains(c.getValue()), c.getKey() + " → " + error);
        }
    }

    @Test
    void predictionsGiveTopKClassNamesAndProbabilitiesFromARawBody() {
        byte[] png = Fixtures.png(64, 48, 5);
        List<ImageClassifier.Prediction> expected = tiny.classify(Fixtures.decode(png), 5);
        HttpResponse<String> r = post(base, "predictions/tiny", "image/png", png);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode top = json(r);
        assertEquals(5, top.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(expected.get(i).label(), top.get(i).get("className").asText());
            assertEquals(expected.get(i).probability(), top.get(i).get("probability").floatValue(), 1e-5f);
        }
        assertEquals(3, json(post(base, "predictions/tiny?topk=3", "application/octet-stream", png)).size());
        assertEquals(10, json(post(base, "predictions/tiny?topk=10", "application/octet-stream", png)).size());
    }

    @Test
    void predictionsTakeAMultipartUpload() {
        byte[] png = Fixtures.png(40, 60, 6);
        String boundary = "----b0undary42";
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"data\"; filename=\"x.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] body = new byte[head.length + png.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(png, 0, body, head.length, png.length);
        System.arraycopy(tail, 0, body, head.length + png.length, tail.length);
        HttpResponse<String> r = post(base, "predictions/other?topk=2", "multipart/form-data; boundary=" + boundary,
                body);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(other.classify(Fixtures.decode(png), 2).getFirst().label(),
                json(r).get(0).get("className").asText());
        HttpResponse<String> broken = post(base, "predictions/other", "multipart/form-data; boundary=zzz", png);
        assertEquals(400, broken.statusCode());
        assertTrue(json(broken).get("error").asText().contains("boundary 'zzz'"), broken.body());
    }

    @Test
    void gradCamExplanationIsAPngOfTheInputsSize() throws Exception {
        HttpResponse<String> r = post(base, "predictions/tiny?explain=gradcam&topk=3", "image/png",
                Fixtures.png(48, 48, 7));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = json(r);
        assertEquals(3, body.get("predictions").size());
        JsonNode e = body.get("explanation");
        assertEquals("gradcam", e.get("method").asText());
        assertEquals("inception5b", e.get("layer").asText());
        assertEquals(body.get("predictions").get(0).get("className").asText(), e.get("className").asText());
        String png = e.get("png").asText();
        assertTrue(png.startsWith("data:image/png;base64,"));
        BufferedImage map = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(
                png.substring("data:image/png;base64,".length()))));
        assertEquals(32, map.getWidth());
        assertEquals(32, map.getHeight());
        assertTrue(map.getColorModel().hasAlpha());
    }

    @Test
    void badPredictionRequestsAre400NamingTheProblem() {
        byte[] png = Fixtures.png(40, 40, 8);
        assertError(post(base, "predictions/tiny?topk=0", "image/png", png), 400, "topk=0 is outside [1, 10]");
        assertError(post(base, "predictions/tiny?topk=11", "image/png", png), 400, "outside [1, 10]");
        assertError(post(base, "predictions/tiny?topk=x", "image/png", png), 400, "not an integer");
        assertError(post(base, "predictions/tiny?explain=lime", "image/png", png), 400, "'gradcam'");
        assertError(post(base, "predictions/tiny", "image/png", new byte[0]), 400, "is empty");
        assertError(post(base, "predictions/tiny", "image/png", "GIF? no".getBytes()), 400, "not a PNG or JPEG");
        byte[] truncated = java.util.Arrays.copyOf(png, png.length / 2);
        assertEquals(400, post(base, "predictions/tiny", "image/png", truncated).statusCode());
    }

    @Test
    void bodiesOverTheLimitAre413() {
        byte[] big = new byte[(int) MAX_BYTES + 1];
        assertError(post(base, "predictions/tiny", "image/png", big), 413, "larger than the limit of 200000 bytes");
        assertError(post(base, "v2/models/tiny/infer", "application/json", big), 413, "--max-request-bytes");
        // the server still answers on new connections and on this one's successors
        assertEquals(200, post(base, "predictions/tiny", "image/png", Fixtures.png(40, 40, 9)).statusCode());
    }

    @Test
    void metricsCountRequestsByCodeAndShowBatchesQueueAndComputeTimes() {
        post(base, "predictions/other", "image/png", Fixtures.png(40, 40, 10));
        post(base, "predictions/other?topk=0", "image/png", Fixtures.png(40, 40, 10));
        HttpResponse<String> r = get(base, "metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        String text = r.body();
        for (String line : List.of("googlenet_requests_total{code=\"200\",model=\"other\"}",
                "googlenet_requests_total{code=\"400\",model=\"other\"}",
                "googlenet_batch_size_bucket{model=\"other\",le=\"1.0\"}",
                "googlenet_batch_size_bucket{model=\"other\",le=\"4.0\"}",
                "googlenet_queue_seconds_count{model=\"other\"}", "googlenet_compute_seconds_count{model=\"other\"}",
                "googlenet_in_flight{model=\"other\"}", "googlenet_queue_depth{model=\"tiny\"}")) {
            assertTrue(text.contains(line), "missing " + line);
        }
        assertTrue(metric(text, "googlenet_requests_total{code=\"200\",model=\"other\"}") >= 1);
        assertTrue(metric(text, "googlenet_compute_seconds_count{model=\"other\"}") >= 1);
    }

    @Test
    void openApiDocumentListsEveryEndpointAndThePageLoads() {
        HttpResponse<String> doc = get(base, "openapi");
        assertEquals(200, doc.statusCode());
        for (String path : List.of("/:", "/app.js:", "/openapi:", "/ping:", "/metrics:", "/models:", "/v2:",
                "/v2/health/live:", "/v2/health/ready:", "/v2/models/{name}:", "/v2/models/{name}/ready:",
                "/v2/models/{name}/infer:", "/predictions/{name}:")) {
            assertTrue(doc.body().contains("\n  " + path + "\n"), "OpenAPI lacks " + path);
        }
        HttpResponse<String> page = get(base, "");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<select id=\"model\">"));
        assertTrue(get(base, "app.js").body().contains("predictions/"));
    }

    static double metric(String exposition, String series) {
        return exposition.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(
                l -> Double.parseDouble(l.substring(series.length() + 1).strip())).findFirst()
                .orElseThrow(() -> new AssertionError("no series " + series));
    }

    private static void assertError(HttpResponse<String> r, int status, String fragment) {
        assertEquals(status, r.statusCode(), r.body());
        String error = json(r).get("error").asText();
        assertTrue(error.contains(fragment), error);
    }

    private static String fp32(String datatype, String shape, String data) {
        return "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"" + datatype + "\",\"shape\":" + shape
                + ",\"data\":" + data + "}]}";
    }

    private static String fp32Input() {
        return "{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,3,32,32],\"data\":"
                + floats(new float[3 * 32 * 32]) + "}";
    }


    private static String floats(float[] values) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            s.append(i == 0 ? "" : ",").append(values[i]);
        }
        return s.append(']').toString();
    }
}
