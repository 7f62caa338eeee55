package dev.googlenet.serve;

import dev.googlenet.infer.LoadedModel;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Overload (503), timeouts (504), failing batches (500) and graceful shutdown, through HTTP. */
class LifecycleTest {

    @Test
    void aFullQueueRefusesWith503AndRetryAfterAndTheServerStaysUp() throws Exception {
        // one image per batch, 250 ms each, room for 2 waiting: 12 at once cannot all be taken
        try (InferenceServer server = start(1, 2, Duration.ofSeconds(60), slow(250))) {
            byte[] png = Fixtures.png(40, 40, 1);
            List<HttpResponse<String>> responses = Concurrent.run(12,
                    i -> Fixtures.post(server.uri(), "predictions/tiny", "image/png", png));
            int ok = 0, busy = 0;
            for (HttpResponse<String> r : responses) {
                if (r.statusCode() == 200) {
                    ok++;
                } else {
                    assertEquals(503, r.statusCode(), r.body());
                    assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
                    assertTrue(Fixtures.json(r).get("error").asText().contains("queue"), r.body());
                    busy++;
                }
            }
            assertTrue(ok >= 3, ok + " answered");
            assertTrue(busy >= 1, "none refused");
            assertEquals(200, Fixtures.get(server.uri(), "ping").statusCode());
            assertEquals(200, Fixtures.post(server.uri(), "predictions/tiny", "image/png", png).statusCode());
            String metrics = Fixtures.get(server.uri(), "metrics").body();
            assertEquals(busy, EndpointsTest.metric(metrics, "googlenet_requests_total{code=\"503\",model=\"tiny\"}"));
        }
    }

    @Test
    void explanationsAreBoundedByTheQueueSizeToo() throws Exception {
        // room for 2: while the model's lock is held, two Grad-CAM requests wait and a third is refused at once
        LoadedModel model = Fixtures.smallModel(5);
        try (InferenceServer server = InferenceServer.start(Map.of("tiny", model),
                Fixtures.config(4, Duration.ZERO, 2, Duration.ofSeconds(60), 1 << 20))) {
            byte[] png = Fixtures.png(40, 40, 1);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<HttpResponse<String>>> waiting = new java.util.ArrayList<>();
            HttpResponse<String> third;
            synchronized (model.googLeNet().orElseThrow()) { // what the explainer locks for its backward pass
                for (int i = 0; i < 2; i++) {
                    waiting.add(pool.submit(() -> Fixtures.post(server.uri(), "predictions/tiny?explain=gradcam",
                            "image/png", png)));
                }
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (server.inFlight() < 2 && System.nanoTime() < deadline) {
                    sleep(10);
                }
                sleep(300); // both past their batch, at the lock
                third = Fixtures.post(server.uri(), "predictions/tiny?explain=gradcam", "image/png", png);
            }
            assertEquals(503, third.statusCode(), third.body());
            assertEquals("1", third.headers().firstValue("Retry-After").orElse(""));
            assertTrue(Fixtures.json(third).get("error").asText().contains("2 explanations"), third.body());
            for (Future<HttpResponse<String>> f : waiting) {
                assertEquals(200, f.get().statusCode());
            }
            pool.shutdown();
        }
    }

    @Test
    void aRequestThatOutwaitsTheTimeoutIs504() {
        try (InferenceServer server = start(1, 8, Duration.ofMillis(200), slow(1500))) {
            HttpResponse<String> r = Fixtures.post(server.uri(), "predictions/tiny", "image/png",
                    Fixtures.png(40, 40, 2));
            assertEquals(504, r.statusCode(), r.body());
            assertTrue(Fixtures.json(r).get("error").asText().contains("within 200 ms"), r.body());
        }
    }

    @Test
    void aFailingBatchIs500ForItsRequestsAndTheWorkerGoesOn() {
        AtomicBoolean failed = new AtomicBoolean();
        try (InferenceServer server = InferenceServer.start(Map.of("tiny", Fixtures.smallModel(4)),
                Fixtures.config(1, Duration.ZERO, 8, Duration.ofSeconds(60), 1 << 20),
                compute -> batch -> {
                    if (failed.compareAndSet(false, true)) {
                        throw new OutOfMemoryError("simulated");
                    }
                    return compute.logits(batch);
                })) {
            byte[] png = Fixtures.png(40, 40, 3);
            HttpResponse<String> first = Fixtures.post(server.uri(), "predictions/tiny", "image/png", png);
            assertEquals(500, first.statusCode(), first.body());
            assertTrue(Fixtures.json(first).get("error").asText().contains("simulated"), first.body());
            assertEquals(200, Fixtures.post(server.uri(), "predictions/tiny", "image/png", png).statusCode());
        }
    }

    @Test
    void gracefulShutdownAnswersEveryAcceptedRequest() throws Exception {
        AtomicInteger computed = new AtomicInteger();
        InferenceServer server = start(2, 64, Duration.ofSeconds(60), compute -> batch -> {
            sleep(100);
            computed.addAndGet(batch.dim(0));
            return compute.logits(batch);
        });
        byte[] png = Fixtures.png(40, 40, 5);
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Future<HttpResponse<String>>> futures = Concurrent.start(10,
                    i -> Fixtures.post(server.uri(), "predictions/tiny", "image/png", png), pool);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (server.inFlight() < 10 && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            assertEquals(10, server.inFlight(), "the 10 requests never were in flight together");
            assertTrue(computed.get() < 10, "shut down too late to test anything: all computed already");
            server.close(); // returns once every accepted request has been answered
            for (HttpResponse<String> r : Concurrent.await(futures)) {
                assertEquals(200, r.statusCode(), r.body());
            }
            assertEquals(10, computed.get());
            assertThrows(RuntimeException.class, () -> Fixtures.get(server.uri(), "ping"));
        } finally {
            pool.shutdownNow();
            server.close();
        }
    }

    private static InferenceServer start(int batchSize, int queueSize, Duration timeout,
                                         java.util.function.UnaryOperator<Batcher.Compute> wrap) {
        return InferenceServer.start(Map.of("tiny", Fixtures.smallModel(5)),
                Fixtures.config(batchSize, Duration.ZERO, queueSize, timeout, 1 << 20), wrap);
    }

    /** Each batch takes at least {@code millis}. */
    private static java.util.function.UnaryOperator<Batcher.Compute> slow(long millis) {
        return compute -> batch -> {
            sleep(millis);
            return compute.logits(batch);
        };
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
