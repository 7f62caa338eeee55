package dev.googlenet.serve;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The server's Prometheus metrics, through Micrometer: requests by model and status code, time images waited in the
 * queue, time batches took, batch sizes, and requests in flight and images waiting per model. Names in the
 * exposition: {@code googlenet_requests_total}, {@code googlenet_queue_seconds}, {@code googlenet_compute_seconds},
 * {@code googlenet_batch_size}, {@code googlenet_in_flight}, {@code googlenet_queue_depth}.
 */
final class ServerMetrics {
    /** The model tag of requests that name no served model (the health endpoints, an unknown name). */
    static final String NO_MODEL = "none";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    /** One request answered with {@code status}. */
    void request(String model, int status) {
        Counter.builder("googlenet.requests").description("HTTP requests by model and status code")
                .tag("model", model).tag("code", Integer.toString(status)).register(registry).increment();
    }

    /** The metrics listener of one model's batcher. */
    Batcher.Listener batches(String model, int maxBatch) {
        Timer queue = Timer.builder("googlenet.queue").description("time an image waited for its batch")
                .tag("model", model).publishPercentileHistogram().register(registry);
        Timer compute = Timer.builder("googlenet.compute").description("time one batch took in the model")
                .tag("model", model).publishPercentileHistogram().register(registry);
        DistributionSummary sizes = DistributionSummary.builder("googlenet.batch.size")
                .description("images per batch").tag("model", model)
                .serviceLevelObjectives(batchBuckets(maxBatch)).register(registry);
        return (size, queueNanos, computeNanos) -> {
            for (long q : queueNanos) {
                queue.record(q, TimeUnit.NANOSECONDS);
            }
            compute.record(computeNanos, TimeUnit.NANOSECONDS);
            sizes.record(size);
        };
    }

    /** A gauge of requests being handled for {@code model}; the caller counts up and down. */
    AtomicInteger inFlight(String model) {
        AtomicInteger n = new AtomicInteger();
        Gauge.builder("googlenet.in.flight", n, AtomicInteger::get).description("requests being handled")
                .tag("model", model).register(registry);
        return n;
    }

    /** A gauge of images waiting in {@code model}'s queue. */
    void queueDepth(String model, Supplier<Number> waiting) {
        Gauge.builder("googlenet.queue.depth", waiting).description("images waiting for a batch")
                .tag("model", model).register(registry);
    }

    /** The text exposition format. */
    String scrape() {
        return registry.scrape();
    }

    /** Every size from 1 to the largest batch: a histogram bucket per possible batch size. */
    private static double[] batchBuckets(int maxBatch) {
        double[] b = new double[maxBatch];
        for (int i = 0; i < maxBatch; i++) {
            b[i] = i + 1;
        }
        return b;
    }
}
