package dev.googlenet.cli;

import dev.googlenet.infer.LoadedModel;
import dev.googlenet.infer.Models;
import dev.googlenet.model.Variant;
import dev.googlenet.serve.InferenceServer;
import dev.googlenet.serve.ServeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "serve", description = "An HTTP inference server: KServe Open Inference Protocol v2 (/v2), "
        + "POST /predictions/{name} (top-k, ?explain=gradcam), /ping, /metrics (Prometheus), /openapi and a web "
        + "page at /. Requests are batched per model. Stops gracefully on SIGINT/SIGTERM: queued requests are "
        + "answered first.")
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "[NAME=]FILE", description = "a model to serve "
            + "(.onnx, our .safetensors, or a training run folder); NAME defaults to the file name without its "
            + "extension. Repeat for several models.")
    List<String> models;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default: "
            + "${DEFAULT-VALUE}; 0.0.0.0 opens it to the network)")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "port (0: any free port, printed; default: "
            + "${DEFAULT-VALUE})")
    int port;

    @Option(names = "--batch-size", defaultValue = "8", description = "most images per model call (default: "
            + "${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--max-batch-delay-ms", defaultValue = "5", description = "longest the first waiting request "
            + "waits for others to join its batch (default: ${DEFAULT-VALUE})")
    long maxBatchDelayMs;

    @Option(names = "--queue-size", defaultValue = "64", description = "images that may wait per model; more are "
            + "refused with 503 and Retry-After (default: ${DEFAULT-VALUE})")
    int queueSize;

    @Option(names = "--timeout-ms", defaultValue = "30000", description = "longest a request waits for its "
            + "result, then 504 (default: ${DEFAULT-VALUE})")
    long timeoutMs;

    @Option(names = "--workers", defaultValue = "1", description = "batch workers per model (each batch already "
            + "uses every engine thread; default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--max-request-bytes", defaultValue = "16777216", description = "largest request body; larger "
            + "is refused with 413 (default: ${DEFAULT-VALUE}, 16 MB)")
    long maxRequestBytes;

    @Option(names = "--warmup-seconds", defaultValue = "5", description = "how long each model runs its batch "
            + "sizes before the server listens, so the JIT has compiled its kernels (0: each size once; default: "
            + "${DEFAULT-VALUE})")
    double warmupSeconds;

    @Option(names = "--variant", description = "paper or torchvision: for a state dict (.safetensors) whose "
            + "metadata names no variant, as torchvision's own")
    String variant;

    @Option(names = "--no-explain", description = "keep only the compiled plans (less memory); Grad-CAM is then "
            + "refused with 400")
    boolean noExplain;

    @Override
    public Integer call() throws IOException, InterruptedException {
        ServeConfig config = new ServeConfig(host, port, batchSize, Duration.ofMillis(maxBatchDelayMs), queueSize,
                Duration.ofMillis(timeoutMs), workers, maxRequestBytes,
                Duration.ofMillis(Math.round(warmupSeconds * 1000)));
        Map<String, LoadedModel> loaded = new LinkedHashMap<>();
        for (var e : modelFiles(models).entrySet()) {
            LoadedModel m = load(e.getValue(), variant);
            loaded.put(e.getKey(), noExplain ? m.inferenceOnly() : m);
            System.out.println("model " + e.getKey() + ": " + m.description());
        }
        System.out.println("warming up (batch sizes 1-" + batchSize + ", " + config.warmup().toMillis() / 1000.0
                + " s per model)…");
        InferenceServer server = InferenceServer.start(loaded, config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("shutting down: answering the requests already accepted…");
            server.close();
            stopped.countDown();
        }, "googlenet-serve-shutdown"));
        System.out.println("listening on " + server.uri() + " (models: " + String.join(", ", server.modelNames())
                + ")");
        System.out.flush();
        stopped.await();
        return 0;
    }

    /**
     * A model as {@link Models#load(Path)} reads it; a state dict that names no variant takes {@code variant}
     * (null: that is an error saying to give one).
     */
    static LoadedModel load(Path file, String variant) throws IOException {
        Variant parsed = variant == null ? null : Variant.parse(variant); // a misspelt --variant fails first
        try {
            return Models.load(file);
        } catch (Models.MissingVariantException e) {
            if (parsed == null) {
                throw ModelOptions.missingVariant(e);
            }
            return Models.load(file, parsed);
        }
    }

    /** {@code [NAME=]FILE} arguments as names and files; names must be unique. */
    static Map<String, Path> modelFiles(List<String> specs) {
        Map<String, Path> out = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            Path file = Path.of(eq < 0 ? spec : spec.substring(eq + 1));
            String name = eq < 0 ? defaultName(file) : spec.substring(0, eq);
            if (out.putIfAbsent(name, file) != null) {
                throw new IllegalArgumentException("two models named '" + name + "' (" + out.get(name) + " and "
                        + file + "): name them, --model NAME=FILE");
            }
        }
        return out;
    }

    /** The file name without its extension: tv_eval.onnx → tv_eval. */
    private static String defaultName(Path file) {
        String n = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
