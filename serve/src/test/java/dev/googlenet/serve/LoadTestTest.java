package dev.googlenet.serve;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadTestTest {

    @Test
    void countsEveryRequestAndReadsTheServersBatchSizes() throws Exception {
        try (InferenceServer server = InferenceServer.start(Map.of("tiny", Fixtures.smallModel(6)),
                Fixtures.config(4, Duration.ofMillis(20), 64, Duration.ofSeconds(60), 1 << 20))) {
            LoadTest.Result r = LoadTest.run(server.uri(), "tiny", Fixtures.png(40, 40, 1), 24, 4, 2,
                    Duration.ofSeconds(120));
            assertEquals(24, r.requests());
            assertEquals(Map.of(200, 24), r.statuses());
            assertEquals(0, r.errors());
            assertTrue(r.meanBatch() >= 1 && r.meanBatch() <= 4, "mean batch " + r.meanBatch());
            assertTrue(r.p50() > 0 && r.p50() <= r.p90() && r.p90() <= r.p99(), r.line());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            LoadTest.print(r, new PrintStream(out, true, StandardCharsets.UTF_8));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("RESULT n=24 c=4 "), out.toString());
            // errors count everything but 200 and 503
            LoadTest.Result failing = new LoadTest.Result(3, 1, 1, 3, 1, 1, 1, 1, Map.of(200, 1, 503, 1, 400, 1), 2);
            assertEquals(3, failing.errors());
        }
    }

    @Test
    void sendsPreprocessedTensorsAsBinaryDataToTheInferEndpoint() throws Exception {
        try (InferenceServer server = InferenceServer.start(Map.of("tiny", Fixtures.smallModel(6)),
                Fixtures.config(4, Duration.ofMillis(20), 64, Duration.ofSeconds(60), 1 << 20))) {
            var request = LoadTest.tensorRequest(server.uri(), "tiny", Fixtures.png(40, 40, 1));
            assertTrue(request.uri().getPath().endsWith("/v2/models/tiny/infer"), request.uri().toString());
            LoadTest.Result r = LoadTest.run(server.uri(), "tiny", request, 12, 4, 1, Duration.ofSeconds(120));
            assertEquals(Map.of(200, 12), r.statuses(), r.line());
            assertTrue(r.meanBatch() >= 1 && r.meanBatch() <= 4, "mean batch " + r.meanBatch());
        }
    }

    @Test
    void refusesAnyAddressButLoopback() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoadTest.run(
                URI.create("http://192.0.2.1:8080/"), "tiny", new byte[1], 1, 1, 0, Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("loopback"), e.getMessage());
    }
}
