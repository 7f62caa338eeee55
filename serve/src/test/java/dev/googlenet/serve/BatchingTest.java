package dev.googlenet.serve;

import dev.googlenet.infer.LoadedModel;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dynamic batching through HTTP: concurrent requests share batches, and the delay counts from the first waiting
 * request, so none waits longer than the delay plus the batch running before it. Time bounds carry a generous
 * margin for a loaded machine; the failures they catch are of a larger order.
 */
class BatchingTest {
    /** Scheduling hiccups on a busy two-core machine: generous, but well below what a broken delay produces. */
    private static final double SLACK_SECONDS = 0.4;

    @Test
    void sixteenConcurrentRequestsFormBatchesAndNoneWaitsPastTheDelayPlusOneBatch() throws Exception {
        Duration delay = Duration.ofMillis(150);
        ConcurrentLinkedQueue<Integer> sizes = new ConcurrentLinkedQueue<>(); // the sizes the model ran
        // batch size 32 > 16 requests: every batch is closed by the delay, never by being full
        try (InferenceServer server = start(32, delay, sizes)) {
            byte[] png = Fixtures.png(40, 40, 1);
            assertAllOk(Concurrent.run(16, i -> Fixtures.post(server.uri(), "predictions/tiny", "image/png", png)));
            assertEquals(16, sizes.stream().mapToInt(Integer::intValue).sum());
            int largest = sizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
            assertTrue(largest > 1, "batches " + sizes);
            assertTrue(sizes.size() < 16, "batches " + sizes);
            assertWaitsBounded(server, delay);
        }
    }

    @Test
    void theDelayCountsFromTheFirstWaitingRequestNotTheLatest() throws Exception {
        Duration delay = Duration.ofMillis(300);
        ConcurrentLinkedQueue<Integer> sizes = new ConcurrentLinkedQueue<>();
        try (InferenceServer server = start(32, delay, sizes)) {
            byte[] png = Fixtures.png(40, 40, 2);
            // 16 requests, one every 80 ms: 1.2 s from the first to the last. A delay restarted by each arrival
            // would hold the first request for all of that; counted from the first, it waits at most 300 ms.
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<Future<HttpResponse<String>>> futures = new java.util.ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    futures.add(pool.submit(() -> Fixtures.post(server.uri(), "predictions/tiny", "image/png", png)));
                    Thread.sleep(80);
                }
                assertAllOk(Concurrent.await(futures));
            } finally {
                pool.shutdownNow();
            }
            assertTrue(sizes.size() >= 3, "one 1.2 s trickle must be cut into several batches: " + sizes);
            assertTrue(sizes.stream().anyMatch(s -> s > 1), "batches " + sizes);
            assertWaitsBounded(server, delay);
        }
    }

    @Test
    void batchesRunAtPowersOfTwoAndTheLargestSizeOnly() {
        assertArrayEquals(new int[] {1, 2, 4, 8}, Batcher.runSizes(8));
        assertArrayEquals(new int[] {1, 2, 4, 6}, Batcher.runSizes(6));
        assertArrayEquals(new int[] {1}, Batcher.runSizes(1));
        assertEquals(List.of(4, 2, 1), Batcher.chunks(7, Batcher.runSizes(8)));
        assertEquals(List.of(8), Batcher.chunks(8, Batcher.runSizes(8)));
        assertEquals(List.of(6, 4, 1), Batcher.chunks(11, Batcher.runSizes(6)));
        assertEquals(List.of(4, 1), Batcher.chunks(5, Batcher.runSizes(6)));
    }

    private static void assertAllOk(List<HttpResponse<String>> responses) {
        for (HttpResponse<String> r : responses) {
            assertEquals(200, r.statusCode(), r.body());
        }
    }

    /** The longest queue wait ≤ the delay + the longest batch (+ slack), read from the server's own metrics. */
    private static void assertWaitsBounded(InferenceServer server, Duration delay) {
        String metrics = Fixtures.get(server.uri(), "metrics").body();
        double maxWait = EndpointsTest.metric(metrics, "googlenet_queue_seconds_max{model=\"tiny\"}");
        double maxBatch = EndpointsTest.metric(metrics, "googlenet_compute_seconds_max{model=\"tiny\"}");
        double bound = delay.toNanos() / 1e9 + maxBatch + SLACK_SECONDS;
        assertTrue(maxWait > 0, "no queue wait recorded");
        assertTrue(maxWait <= bound, "an image waited " + maxWait + " s; bound " + bound + " s");
    }

    private static InferenceServer start(int batchSize, Duration delay, ConcurrentLinkedQueue<Integer> sizes) {
        LoadedModel tiny = Fixtures.smallModel(3);
        return InferenceServer.start(Map.of("tiny", tiny),
                Fixtures.config(batchSize, delay, 64, Duration.ofSeconds(60), 1 << 20),
                compute -> batch -> {
                    sizes.add(batch.dim(0));
                    return compute.logits(batch);
                });
    }
}
