package dev.googlenet.serve;

import dev.googlenet.data.ImageDecoder;
import dev.googlenet.data.ImageTensors;
import dev.googlenet.data.Preprocess;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code bin/loadtest}: sends N requests ({@code POST /predictions/{model}} with one image, or with
 * {@code --send tensor} the image preprocessed here as a binary FP32 tensor to the Open Inference Protocol's
 * {@code infer}) at concurrency C to a
 * server on this machine, then prints throughput, latency percentiles, the server's mean batch size over the run
 * (from its /metrics) and the status counts. Bounded: N requests, each with a timeout, and a limit on the whole
 * run. Loopback addresses only: it is a tool to measure our own server, not anyone else's.
 */
public final class LoadTest {
    /** What one run measured. */
    record Result(int requests, int concurrency, double seconds, double throughput, double p50, double p90,
                  double p99, double meanBatch, Map<Integer, Integer> statuses, int failures) {

        /** Requests answered neither 200 nor 503 (503 is the server refusing overload, as it should). */
        int errors() {
            int e = failures;
            for (var s : statuses.entrySet()) {
                if (s.getKey() != 200 && s.getKey() != 503) {
                    e += s.getValue();
                }
            }
            return e;
        }

        String line() {
            return String.format(Locale.ROOT, "RESULT n=%d c=%d seconds=%.2f throughput=%.2f p50_ms=%.1f "
                            + "p90_ms=%.1f p99_ms=%.1f mean_batch=%.2f ok=%d rejected_503=%d errors=%d",
                    requests, concurrency, seconds, throughput, p50, p90, p99, meanBatch,
                    statuses.getOrDefault(200, 0), statuses.getOrDefault(503, 0), errors());
        }
    }

    /** How long one request may take before it counts as failed. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(120);

    private LoadTest() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * The command line: runs the load test and prints its report to {@code out}; a bad option, an unreadable image
     * or a server that cannot be reached is one line on {@code err} (no stack trace). Returns the exit status: 0, 1
     * when the run failed, 2 for a bad command line.
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        String url = "http://127.0.0.1:8080/";
        try {
            Map<String, String> a = options(args);
            if (a == null) {
                out.println(USAGE);
                return 0;
            }
            url = a.getOrDefault("--url", url);
            URI base = URI.create(url);
            String model = require(a, "--model");
            String imageFile = require(a, "--image");
            int n = number(a, "-n", 200, 1);
            int c = number(a, "-c", 16, 1);
            int warmup = number(a, "--warmup", 16, 0);
            Duration limit = Duration.ofSeconds(number(a, "--max-seconds", 600, 1));
            String send = a.getOrDefault("--send", "image");
            if (!send.equals("image") && !send.equals("tensor")) {
                throw new IllegalArgumentException("--send is '" + send + "'; it takes image or tensor");
            }
            byte[] image;
            try {
                image = Files.readAllBytes(Path.of(imageFile));
            } catch (IOException e) {
                throw new IllegalArgumentException("--image " + imageFile + ": cannot be read ("
                        + (e instanceof NoSuchFileException ? "no such file" : e.getMessage()) + ")");
            }
            Result r = send.equals("image") ? run(base, model, image, n, c, warmup, limit)
                    : run(base, model, tensorRequest(base, model, image), n, c, warmup, limit);
            print(r, out);
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("loadtest: " + e.getMessage());
            return 2;
        } catch (ConnectException e) {
            err.println("loadtest: cannot connect to " + url + " (is `googlenet serve` running there?)");
            return 1;
        } catch (Exception e) {
            err.println("loadtest: " + url + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        }
    }

    private static final String USAGE = "usage: bin/loadtest --model NAME --image FILE [--url http://127.0.0.1:8080/] "
            + "[-n 200] [-c 16] [--warmup 16] [--max-seconds 600] [--send image|tensor]\n"
            + "  --send tensor: preprocess the image here and send it as a binary FP32 tensor to the "
            + "Open Inference Protocol endpoint";

    private static int number(Map<String, String> a, String name, int fallback, int least) {
        String v = a.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int x = Integer.parseInt(v.strip());
            if (x >= least) {
                return x;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " is '" + v + "'; it takes a whole number of at least " + least);
    }

    /** {@link #run(URI, String, HttpRequest, int, int, int, Duration)} with the image file as the body of
     * {@code POST /predictions/{model}}. */
    static Result run(URI base, String model, byte[] image, int n, int c, int warmup, Duration limit)
            throws Exception {
        var request = LoopbackConnection.Prepared.post(base.resolve("predictions/" + model),
                "application/octet-stream", Map.of(), image);
        return run(base, model, request, n, c, warmup, limit);
    }

    /**
     * {@code POST /v2/models/{model}/infer} with the image preprocessed here, as a client of a tensor server does
     * it (torchvision's ImageNet preprocessing at the model's input size), sent as binary FP32 data (Triton's
     * binary tensor extension) and answered as binary logits: the server's work is then the model's alone.
     */
    static LoopbackConnection.Prepared tensorRequest(URI base, String model, byte[] image) throws Exception {
        checkLoopback(base);
        HttpClient client = HttpClient.newHttpClient();
        var meta = Reply.mapper().readTree(client.send(HttpRequest.newBuilder(base.resolve("v2/models/" + model))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray()).body());
        var shape = meta.path("inputs").path(0).path("shape");
        int size = shape.path(2).asInt();
        if (shape.size() != 4 || size < 1) {
            throw new IllegalArgumentException("model '" + model + "' has no FP32 [N,C,H,W] input: " + meta);
        }
        Preprocess p = new Preprocess(Preprocess.ChannelOrder.RGB, Preprocess.TORCHVISION.scale(),
                Preprocess.TORCHVISION.mean(), Preprocess.TORCHVISION.std(), size * 256 / 224, size);
        float[] input = ImageTensors.toTensor(ImageTensors.evalCrop(ImageDecoder.decode(image, "--image"), p), p)
                .data();
        byte[] data = BinaryTensors.bytes(input);
        byte[] json = ("{\"inputs\":[{\"name\":\"" + OpenInferenceApi.FP32_INPUT + "\",\"datatype\":\"FP32\","
                + "\"shape\":[1,3," + size + "," + size + "],\"parameters\":{\"" + BinaryTensors.SIZE + "\":"
                + data.length + "}}],\"outputs\":[{\"name\":\"" + OpenInferenceApi.LOGITS + "\",\"parameters\":"
                + "{\"binary_data\":true}}]}").getBytes(StandardCharsets.UTF_8);
        return LoopbackConnection.Prepared.post(base.resolve("v2/models/" + model + "/infer"),
                "application/octet-stream", Map.of(BinaryTensors.HEADER, Integer.toString(json.length)),
                BinaryTensors.join(json, List.of(data)));
    }

    private static void checkLoopback(URI base) {
        String host = base.getHost();
        if (!(host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1"))) {
            throw new IllegalArgumentException("load tests run on loopback only (127.0.0.1, localhost, ::1), not "
                    + host);
        }
    }

    /**
     * Runs {@code warmup} requests (not counted), then {@code n} at concurrency {@code c}, stopping at
     * {@code limit}.
     */
    static Result run(URI base, String model, LoopbackConnection.Prepared request, int n, int c, int warmup,
                      Duration limit)
            throws Exception {
        checkLoopback(base);
        if (n < 1 || c < 1) {
            throw new IllegalArgumentException("-n and -c must be at least 1");
        }
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        try (LoopbackConnection connection = new LoopbackConnection(REQUEST_TIMEOUT)) {
            for (int i = 0; i < warmup; i++) {
                connection.send(request);
            }
        }
        double[] before = batches(client, base, model);
        long[] latencies = new long[n];
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        LongAdder failures = new LongAdder();
        AtomicInteger next = new AtomicInteger();
        long deadline = System.nanoTime() + limit.toNanos();
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < c; t++) {
            threads.add(Thread.ofPlatform().name("loadtest-" + t).start(() -> {
                try (LoopbackConnection connection = new LoopbackConnection(REQUEST_TIMEOUT)) {
                    for (int i; (i = next.getAndIncrement()) < n && System.nanoTime() < deadline; ) {
                        long t0 = System.nanoTime();
                        try {
                            statuses.merge(connection.send(request), 1, Integer::sum);
                        } catch (IOException | RuntimeException e) {
                            failures.increment();
                        }
                        latencies[i] = System.nanoTime() - t0;
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] after = batches(client, base, model);
        int done = Math.min(n, next.get());
        long[] sorted = Arrays.copyOf(latencies, done);
        Arrays.sort(sorted);
        double batches = after[1] - before[1];
        return new Result(done, c, seconds, done / seconds, percentile(sorted, 50), percentile(sorted, 90),
                percentile(sorted, 99), batches > 0 ? (after[0] - before[0]) / batches : 0,
                new TreeMap<>(statuses), failures.intValue());
    }

    static void print(Result r, PrintStream out) {
        out.printf(Locale.ROOT, "%d requests at concurrency %d in %.2f s: %.2f requests/s%n", r.requests(),
                r.concurrency(), r.seconds(), r.throughput());
        out.printf(Locale.ROOT, "latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms%n", r.p50(), r.p90(), r.p99());
        out.printf(Locale.ROOT, "mean batch size %.2f; statuses %s; errors %d%n", r.meanBatch(), r.statuses(),
                r.errors());
        out.println(r.line());
    }

    /** The server's batch-size sum and count for the model, from its Prometheus metrics. */
    private static double[] batches(HttpClient client, URI base, String model) throws Exception {
        String text = client.send(HttpRequest.newBuilder(base.resolve("metrics")).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        return new double[] {series(text, "googlenet_batch_size_sum{model=\"" + model + "\"}"),
                series(text, "googlenet_batch_size_count{model=\"" + model + "\"}")};
    }

    private static double series(String exposition, String name) {
        return exposition.lines().filter(l -> l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1).strip())).findFirst().orElse(0);
    }

    /** Nearest-rank percentile in milliseconds. */
    private static double percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }

    private static final Set<String> OPTIONS = Set.of("--url", "--model", "--image", "-n", "-c", "--warmup",
            "--max-seconds", "--send");

    /** The options as name → value; null when help was asked for. */
    private static Map<String, String> options(String[] args) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-h") || args[i].equals("--help")) {
                return null;
            }
            if (!OPTIONS.contains(args[i])) {
                throw new IllegalArgumentException("unknown option '" + args[i] + "' (see --help)");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            m.put(args[i], args[++i]);
        }
        return m;
    }

    private static String require(Map<String, String> a, String name) {
        String v = a.get(name);
        if (v == null) {
            throw new IllegalArgumentException(name + " is required (see --help)");
        }
        return v;
    }
}
