package dev.googlenet.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where ONNX Runtime spends an inference, node by node: the same session as {@link OrtInferenceBench} with ONNX
 * Runtime's own profiler on, then the profile's kernel times summed per node and per operator, in ms per run. Set
 * beside {@code googlenet bench --by-shape} (ours, per convolution shape) it shows which layers each engine does
 * faster. The profiler adds a little to every node, so compare shares and large gaps, not the last percent.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar dev.googlenet.bench.OrtOpProfile [BATCH] [THREADS] [RUNS]}
 * (defaults 1, all cores, 200; 100 unprofiled runs warm up first).
 */
public final class OrtOpProfile {
    private OrtOpProfile() {
    }

    public static void main(String[] args) throws OrtException, IOException {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        if (batch < 1 || threads < 1 || runs < 1 || runs > 10_000) {
            throw new IllegalArgumentException("usage: [BATCH >= 1] [THREADS >= 1] [RUNS 1..10000]");
        }
        Path dir = Files.createTempDirectory("ort-profile");
        Path profile;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = OrtInferenceBench.options(threads)) {
            options.enableProfiling(dir.resolve("ort").toString());
            try (OrtSession session = env.createSession(ReferenceFiles.file("tv_eval.onnx").toString(), options);
                 OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(Models.randomImages(batch, 7).data()),
                         new long[] {batch, 3, 224, 224})) {
                for (int i = 0; i < 100 + runs; i++) {
                    session.run(Map.of("input", input)).close();
                }
                profile = Path.of(session.endProfiling());
            }
        }
        try {
            report(profile, batch, threads);
        } finally {
            Files.deleteIfExists(profile);
            Files.deleteIfExists(dir);
        }
    }

    /** Sums the profile's {@code *_kernel_time} events per node and operator, over its {@code model_run}s. */
    static void report(Path profile, int batch, int threads) throws IOException {
        JsonNode events = new ObjectMapper().readTree(profile.toFile());
        Map<String, double[]> nodes = new LinkedHashMap<>(); // name → {µs, operator index}
        List<String> ops = new ArrayList<>();
        int modelRuns = 0;
        for (JsonNode e : events) {
            String cat = e.path("cat").asText(), name = e.path("name").asText();
            if (cat.equals("Session") && name.equals("model_run")) {
                modelRuns++;
            } else if (cat.equals("Node") && name.endsWith("_kernel_time")) {
                String op = e.path("args").path("op_name").asText("?");
                if (!ops.contains(op)) {
                    ops.add(op);
                }
                double[] sum = nodes.computeIfAbsent(name.substring(0, name.length() - "_kernel_time".length()),
                        k -> new double[] {0, ops.indexOf(op)});
                sum[0] += e.path("dur").asDouble();
            }
        }
        // the warm-up runs are profiled too: divide by every run the profile holds
        int perRun = Math.max(1, modelRuns);
        double[] byOp = new double[ops.size()];
        double total = 0;
        for (double[] v : nodes.values()) {
            byOp[(int) v[1]] += v[0];
            total += v[0];
        }
        System.out.printf(Locale.ROOT, "ONNX Runtime, batch %d, %d threads: %.2f ms of kernels per run (%d runs)%n",
                batch, threads, total / perRun / 1000, modelRuns);
        for (int i = 0; i < ops.size(); i++) {
            System.out.printf(Locale.ROOT, "  %-20s %8.3f ms%n", ops.get(i), byOp[i] / perRun / 1000);
        }
        System.out.println("nodes, slowest first:");
        nodes.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]))
                .forEach(n -> System.out.printf(Locale.ROOT, "  %-62s %-10s %8.3f ms%n", n.getKey(),
                        ops.get((int) n.getValue()[1]), n.getValue()[0] / perRun / 1000));
    }
}
