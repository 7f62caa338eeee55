package dev.googlenet.serve;

import dev.googlenet.infer.LoadedModel;
import io.helidon.http.Method;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP inference server: several named models, each behind its own dynamic batcher, on Helidon SE's WebServer
 * (one virtual thread per request, so a request blocked on its batch costs no platform thread).
 *
 * <p>{@link #start} warms every model up before it binds the port, so once it returns the server is ready.
 * {@link #close} shuts down gracefully: new work is refused with 503, every request already accepted is answered,
 * then the batchers finish their queues and the listener stops.
 *
 * <p>Endpoints: KServe's Open Inference Protocol v2 under {@code /v2} ({@link OpenInferenceApi}), DJL/TorchServe's
 * {@code POST /predictions/{name}} ({@link PredictionsApi}), {@code GET /models}, {@code /ping}, {@code /metrics}
 * (Prometheus), {@code /openapi} and the web page at {@code /}.
 */
public final class InferenceServer implements AutoCloseable {
    static final String VERSION = "0.1.0";
    private static final Logger LOG = Logger.getLogger(InferenceServer.class.getName());
    /** Beyond the request timeout, how long close() waits for answers still being written. */
    private static final Duration DRAIN_MARGIN = Duration.ofSeconds(5);

    private final ServeConfig config;
    private final Map<String, ServedModel> models;
    private final List<String> order;
    private final Map<String, AtomicInteger> inFlightByModel = new LinkedHashMap<>();
    private final ServerMetrics metrics;
    private final OpenInferenceApi oip;
    private final PredictionsApi predictions;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean draining;
    private WebServer server;

    private InferenceServer(Map<String, LoadedModel> loaded, ServeConfig config,
                            UnaryOperator<Batcher.Compute> wrap) {
        this.config = config;
        this.metrics = new ServerMetrics();
        this.oip = new OpenInferenceApi(config);
        this.predictions = new PredictionsApi(config);
        Map<String, ServedModel> served = new LinkedHashMap<>();
        for (var e : loaded.entrySet()) {
            served.put(e.getKey(), new ServedModel(e.getKey(), e.getValue(), config, metrics,
                    wrap.apply(e.getValue()::logits)));
            inFlightByModel.put(e.getKey(), metrics.inFlight(e.getKey()));
        }
        this.models = Collections.unmodifiableMap(served); // keeps the order given
        this.order = List.copyOf(served.keySet());
    }

    /**
     * Warms up each model (every batch size up to the configured one), then listens. {@code models} maps a name
     * (the path segment clients use) to a model, in the order the page lists them.
     */
    public static InferenceServer start(Map<String, LoadedModel> models, ServeConfig config) {
        return start(models, config, compute -> compute);
    }

    /** {@link #start}, with each model's batch computation wrapped (tests slow it down or make it fail). */
    static InferenceServer start(Map<String, LoadedModel> models, ServeConfig config,
                                 UnaryOperator<Batcher.Compute> wrap) {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("no models to serve");
        }
        for (String name : models.keySet()) {
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw new IllegalArgumentException("model name '" + name + "': use letters, digits, '.', '_' and "
                        + "'-', starting with a letter or digit (it is a URL path segment)");
            }
        }
        InferenceServer s = new InferenceServer(models, config, wrap);
        for (ServedModel m : s.models.values()) {
            m.warmUp(config.batchSize(), config.warmup());
        }
        s.server = WebServer.builder()
                .host(config.host())
                .port(config.port())
                .routing(s::routes)
                .shutdownHook(false) // close() drains first; Helidon's own hook would stop the listener at once
                .build()
                .start();
        return s;
    }

    /** The port it listens on (the one chosen when the configuration said 0). */
    public int port() {
        return server.port();
    }

    /** {@code http://host:port/}. */
    public URI uri() {
        return URI.create("http://" + config.host() + ":" + port() + "/");
    }

    /** The served models' names, in the order given. */
    public List<String> modelNames() {
        return order;
    }

    private void routes(HttpRouting.Builder r) {
        r.get("/", plain(req -> resource("index.html", "text/html; charset=utf-8")));
        r.get("/app.js", plain(req -> resource("app.js", "text/javascript; charset=utf-8")));
        r.get("/openapi", plain(req -> resource("openapi.yaml", "application/yaml")));
        r.get("/ping", plain(req -> Reply.json(draining ? 503 : 200,
                Map.of("status", draining ? "Unhealthy" : "Healthy"))));
        r.get("/metrics", plain(req -> Reply.text("text/plain; version=0.0.4; charset=utf-8", metrics.scrape())));
        r.get("/models", plain(req -> listModels()));
        r.get("/v2", plain(req -> OpenInferenceApi.server()));
        r.get("/v2/health/live", plain(req -> Reply.json(Map.of("live", true))));
        r.get("/v2/health/ready", plain(req -> Reply.json(draining ? 503 : 200, Map.of("ready", !draining))));
        r.get("/v2/models/{name}", model((m, req) -> OpenInferenceApi.metadata(m)));
        r.get("/v2/models/{name}/ready", model((m, req) -> OpenInferenceApi.ready(m, !draining)));
        r.post("/v2/models/{name}/infer", model(oip::infer));
        r.post("/predictions/{name}", model(predictions::predict));
        r.route(method -> true, io.helidon.http.PathMatchers.any(), plain(req -> {
            throw ApiException.notFound("no endpoint " + req.prologue().method().text() + " "
                    + req.path().path() + "; see GET /openapi");
        }));
    }

    /** {@code GET /models}, as DJL Serving lists them. */
    private Reply listModels() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (String name : order) {
            ServedModel m = models.get(name);
            list.add(Map.of("modelName", name, "description", m.model().description(),
                    "explainable", m.explainable(), "inputSize", m.model().inputSize()));
        }
        return Reply.json(Map.of("models", list));
    }

    /** A 503 before any work when the model's queue is already full. */
    static void refuseWhenFull(ServedModel m) {
        if (m.queueFull()) {
            throw new ApiException(503, "model '" + m.name() + "' has a full queue; retry later", 1);
        }
    }

    /** An endpoint that names no model. */
    private Handler plain(Function<ServerRequest, Reply> handler) {
        return (req, res) -> handle(req, res, null, () -> handler.apply(req));
    }

    /** An endpoint under a model's name: 404 for a name not served; POSTs are refused while shutting down. */
    private Handler model(BiFunction<ServedModel, ServerRequest, Reply> handler) {
        return (req, res) -> {
            String name = req.path().pathParameters().get("name");
            ServedModel m = models.get(name);
            handle(req, res, m, () -> {
                if (m == null) {
                    throw ApiException.notFound("no model named '" + name + "'; served: " + order);
                }
                if (draining && req.prologue().method() == Method.POST) {
                    throw new ApiException(503, "the server is shutting down", 1);
                }
                return handler.apply(m, req);
            });
        };
    }

    /** Runs a handler, turns what it throws into a JSON error, writes the reply and counts it. */
    private void handle(ServerRequest req, ServerResponse res, ServedModel m,
                        java.util.function.Supplier<Reply> handler) {
        inFlight.incrementAndGet(); // before draining is read, so close() waits for this request
        AtomicInteger modelInFlight = m == null ? null : inFlightByModel.get(m.name());
        if (modelInFlight != null) {
            modelInFlight.incrementAndGet();
        }
        try {
            Reply reply;
            try {
                reply = handler.get();
            } catch (ApiException e) {
                reply = Reply.error(e);
            } catch (RuntimeException | Error e) { // a bug or a failed batch answers 500; the server stays up
                LOG.log(Level.WARNING, "request " + req.prologue().method().text() + " " + req.path().path()
                        + " failed", e);
                reply = Reply.error(new ApiException(500, "internal error: " + e));
            }
            metrics.request(m == null ? ServerMetrics.NO_MODEL : m.name(), reply.status());
            res.status(reply.status());
            res.header("Content-Type", reply.contentType());
            reply.headers().forEach(res::header);
            res.send(reply.body());
        } finally {
            if (modelInFlight != null) {
                modelInFlight.decrementAndGet();
            }
            inFlight.decrementAndGet();
        }
    }

    private static Reply resource(String name, String contentType) {
        try (InputStream in = InferenceServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " missing from the jar");
            }
            return Reply.bytes(contentType, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Requests being handled now (all endpoints). */
    int inFlight() {
        return inFlight.get();
    }

    /**
     * Graceful shutdown: refuse new inference (503) and report not ready; answer every request already accepted
     * (waiting at most the request timeout and a margin); then let the batchers finish and stop listening.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        draining = true;
        long deadline = System.nanoTime() + config.requestTimeout().plus(DRAIN_MARGIN).toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (ServedModel m : models.values()) {
            m.close();
        }
        if (server != null) {
            server.stop();
        }
    }
}
