package dev.googlenet.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.googlenet.kernels.Parallel;
import dev.googlenet.plan.InferencePlan;
import dev.googlenet.tensor.Tensor;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A diagnostic beside {@code bin/bench}, not its headline: our plan and ONNX Runtime (the same session options as
 * {@link OrtInferenceBench}) in one process, in alternating blocks of about a second, each block's median time per
 * batch printed as it ends. This machine's speed changes in steps that last from seconds to minutes; {@code bin/bench}
 * runs each engine in forks of about twenty seconds, so a step can fall on one engine's forks and not the other's.
 * Here both engines see every state within a second of each other, so the ratio of neighbouring blocks says how
 * they compare in the same state, and the column of our block times shows the states themselves.
 *
 * <p>The two engines share the process: a 100 ms pause after each block lets the other's threads go idle first
 * (ONNX Runtime's spin while they wait for work; ours park after a millisecond).
 *
 * <p>{@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.googlenet.bench.Alternating
 * [BATCH] [THREADS] [SECONDS]} (defaults 8, all cores, 120; 20 s of warm-up come first, as the JIT is still compiling
 * our glue code then).
 */
public final class Alternating {
    private static final long PAUSE_MS = 100;
    private static final double WARMUP_SECONDS = 20;

    private Alternating() {
    }

    public static void main(String[] args) throws OrtException, InterruptedException {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 120;
        if (batch < 1 || threads < 1 || seconds < 1) {
            throw new IllegalArgumentException("usage: [BATCH >= 1] [THREADS >= 1] [SECONDS >= 1]");
        }
        Parallel.setThreads(threads);
        InferencePlan plan = InferencePlan.compile(Models.torchvision(false));
        Tensor x = Models.randomImages(batch, 7);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = OrtInferenceBench.options(threads);
             OrtSession session = env.createSession(ReferenceFiles.file("tv_eval.onnx").toString(), options);
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data()),
                     new long[] {batch, 3, 224, 224})) {
            Run ours = () -> plan.logits(x);
            Run ort = () -> {
                try (OrtSession.Result r = session.run(Map.of("input", input))) {
                    r.get(0);
                }
            };
            long warmupEnd = System.nanoTime() + (long) (WARMUP_SECONDS * 1e9);
            double oursMs = 0, ortMs = 0;
            while (System.nanoTime() < warmupEnd) {
                oursMs = median(ours, 3);
                ortMs = median(ort, 3);
            }
            // about a second per block, at least three runs
            int oursRuns = Math.max(3, (int) (1000 / oursMs)), ortRuns = Math.max(3, (int) (1000 / ortMs));
            System.out.printf(Locale.ROOT, "batch %d, %d threads: blocks of %d runs (ours) and %d (ONNX Runtime)%n",
                    batch, threads, oursRuns, ortRuns);
            System.out.printf(Locale.ROOT, "%8s %10s %10s %7s%n", "seconds", "ours ms", "ORT ms", "ratio");
            List<double[]> blocks = new ArrayList<>();
            long start = System.nanoTime(), end = start + seconds * 1_000_000_000L;
            while (System.nanoTime() < end) {
                Thread.sleep(PAUSE_MS);
                double a = median(ours, oursRuns);
                Thread.sleep(PAUSE_MS);
                double b = median(ort, ortRuns);
                blocks.add(new double[] {a, b});
                System.out.printf(Locale.ROOT, "%8.1f %10.2f %10.2f %7.3f%n", (System.nanoTime() - start) / 1e9, a, b,
                        b / a);
            }
            double[] ratio = blocks.stream().mapToDouble(p -> p[1] / p[0]).sorted().toArray();
            double[] oursT = blocks.stream().mapToDouble(p -> p[0]).sorted().toArray();
            double[] ortT = blocks.stream().mapToDouble(p -> p[1]).sorted().toArray();
            long below = Arrays.stream(ratio).filter(r -> r < 1).count();
            System.out.printf(Locale.ROOT, "%d pairs: ratio (ORT time / ours) median %.3f, range %.3f-%.3f, %d below "
                            + "1.0; ours %.2f-%.2f ms (median %.2f), ONNX Runtime %.2f-%.2f ms (median %.2f)%n",
                    ratio.length, ratio[ratio.length / 2], ratio[0], ratio[ratio.length - 1], below, oursT[0],
                    oursT[oursT.length - 1], oursT[oursT.length / 2], ortT[0], ortT[ortT.length - 1],
                    ortT[ortT.length / 2]);
        }
    }

    /** One inference; ONNX Runtime's runs throw a checked exception. */
    private interface Run {
        void run() throws OrtException;
    }

    /** The median time of {@code runs} runs, in ms. */
    private static double median(Run r, int runs) throws OrtException {
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return t[runs / 2];
    }
}
