package dev.googlenet.serve;

import java.time.Duration;
import java.util.Objects;

/**
 * How the server runs: where it listens, how requests are batched, and its limits.
 *
 * @param host            address to bind (127.0.0.1 unless the operator opens it up)
 * @param port            port to bind; 0 picks a free one
 * @param batchSize       most images one model call runs
 * @param maxBatchDelay   how long the first waiting request may wait for others to join its batch
 * @param queueSize       images that may wait per model; one more is refused with 503
 * @param requestTimeout  how long a request waits for its result before it is answered 504
 * @param workers         batch workers per model (each runs one batch at a time on the shared plan)
 * @param maxRequestBytes largest request body accepted; larger is refused with 413
 * @param warmup          how long each model runs its batch sizes before the server listens (at least once each):
 *                        the JIT compiles a rarely used kernel only after many calls, and until then the Vector
 *                        API boxes every vector it computes
 */
public record ServeConfig(String host, int port, int batchSize, Duration maxBatchDelay, int queueSize,
                          Duration requestTimeout, int workers, long maxRequestBytes, Duration warmup) {

    /** TorchServe's 6.5 MB default refuses ordinary phone photos; 16 MB does not. */
    public static final long DEFAULT_MAX_REQUEST_BYTES = 16L << 20;
    /** Long enough on two cores for the JIT to compile the kernels a GoogLeNet's batch sizes use. */
    public static final Duration DEFAULT_WARMUP = Duration.ofSeconds(5);

    public ServeConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(maxBatchDelay, "maxBatchDelay");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(warmup, "warmup");
        require(port >= 0 && port <= 65535, "port must be in [0, 65535], not " + port);
        require(batchSize >= 1, "batch size must be at least 1, not " + batchSize);
        require(!maxBatchDelay.isNegative(), "max batch delay must not be negative");
        require(queueSize >= 1, "queue size must be at least 1, not " + queueSize);
        require(requestTimeout.toMillis() >= 1, "request timeout must be at least 1 ms");
        require(workers >= 1, "workers must be at least 1, not " + workers);
        require(maxRequestBytes >= 1, "max request bytes must be at least 1, not " + maxRequestBytes);
        require(!warmup.isNegative(), "warm-up must not be negative");
    }

    /** The defaults of {@code googlenet serve}. */
    public static ServeConfig defaults() {
        return new ServeConfig("127.0.0.1", 8080, 8, Duration.ofMillis(5), 64, Duration.ofSeconds(30), 1,
                DEFAULT_MAX_REQUEST_BYTES, DEFAULT_WARMUP);
    }

    public ServeConfig withPort(int port) {
        return new ServeConfig(host, port, batchSize, maxBatchDelay, queueSize, requestTimeout, workers,
                maxRequestBytes, warmup);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
