package dev.googlenet.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.annotations.Mode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs, in one go and with one thread count: the FMA peak, our inference at batch 1/8/32, ONNX Runtime's on the
 * same model, our training step at batch 32, and the peak memory of batch-1 inference and batch-32 training.
 * Each batch size runs four forks, ours, ONNX Runtime's, ONNX Runtime's, ours (ABBA), and quotes each engine's mean
 * of its two medians (JMH sample mode) and the ratio of each pair. Ends with one {@code RESULT ...} line.
 * <p>
 * {@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar [--threads N] [--quick]}
 */
public final class BenchMain {
    /**
     * The huge-pages flag where bin/googlenet passes it (README, Memory): only where the kernel hands out transparent
     * huge pages on request ("madvise"); with "never" the JVM would print two warnings on standard output.
     */
    static final List<String> HUGE_PAGES = hugePages();
    /** bin/googlenet's memory flags: the RSS probes measure what a user of the launcher gets. */
    static final List<String> LAUNCHER_MEMORY = concat(List.of("-XX:+UseSerialGC", "-Xms32m", "-Xmn24m",
            "-XX:MaxRAMPercentage=75", "-Djdk.nio.maxCachedBufferSize=1048576"), HUGE_PAGES);

    private BenchMain() {
    }

    public static void main(String[] args) throws RunnerException, IOException, InterruptedException {
        int threads = Runtime.getRuntime().availableProcessors();
        boolean quick = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--quick" -> quick = true;
                default -> throw new IllegalArgumentException("usage: [--threads N] [--quick], not " + args[i]);
            }
        }
        // JMH forks: ParallelGC with a big young generation, as bin/googlenet had before it moved to LAUNCHER_MEMORY
        // (throughput is the same with both in googlenet bench; switch these after a bin/bench run confirms it).
        // Both engines' forks get the same flags, the launcher's huge pages included (README, Memory): they back the
        // Java heap, where our workspace lives; ONNX Runtime's arena is native memory, which they leave as it is
        String[] jvm = concat(List.of("--add-modules=jdk.incubator.vector", "-Dgooglenet.threads=" + threads,
                "-Xmx16g", "-XX:+UseParallelGC", "-XX:NewRatio=1", "-Xss8m"), HUGE_PAGES).toArray(String[]::new);

        double peakFlops = peak(threads, jvm, quick);
        double[] ours = new double[3], ort = new double[3];
        double[][] pairs = new double[3][];
        int[] batches = {1, 8, 32};
        for (int i = 0; i < 3; i++) {
            // ABBA per batch: ours, ORT, ORT, ours. This machine's speed drifts by a fifth within a minute; a drift
            // across the four runs then weighs on both engines alike, where one run each (AB) gave it all to one
            double ours1 = imagesPerSecond("InferenceBench", batches[i], jvm, quick, false);
            double ort1 = imagesPerSecond("OrtInferenceBench", batches[i], jvm, quick, false);
            double ort2 = imagesPerSecond("OrtInferenceBench", batches[i], jvm, quick, false);
            double ours2 = imagesPerSecond("InferenceBench", batches[i], jvm, quick, false);
            ours[i] = (ours1 + ours2) / 2;
            ort[i] = (ort1 + ort2) / 2;
            pairs[i] = new double[] {ours1 / ort1, ours2 / ort2};
        }
        double train = imagesPerSecond("TrainBench", 32, jvm, quick, true);
        long rssInfer = rss("infer", 1, threads), rssTrain = rss("train", 32, threads);

        double gflopPerImage = 2 * 1.498376192; // torchvision GoogLeNet: 1.498G multiply-adds at 224×224
        System.out.println();
        System.out.printf(Locale.ROOT, "threads %d, FMA peak %.1f GFLOP/s%n", threads, peakFlops);
        System.out.printf(Locale.ROOT, "%-22s %10s %10s %10s %10s %14s%n", "", "img/s", "ORT img/s", "ratio", "% peak",
                "pair ratios");
        for (int i = 0; i < 3; i++) {
            System.out.printf(Locale.ROOT, "%-22s %10.1f %10.1f %10.2f %9.1f%% %8.2f %5.2f%n",
                    "inference batch " + batches[i], ours[i], ort[i], ours[i] / ort[i],
                    100 * ours[i] * gflopPerImage / peakFlops, pairs[i][0], pairs[i][1]);
        }
        System.out.printf(Locale.ROOT, "%-22s %10.1f %10s %10s %9.1f%%%n", "train step batch 32", train, "-", "-",
                100 * train * 3 * gflopPerImage / peakFlops);
        System.out.printf(Locale.ROOT, "peak RSS: inference batch 1 %d MB, training batch 32 %d MB%n",
                rssInfer / 1024, rssTrain / 1024);
        System.out.printf(Locale.ROOT, "RESULT b1=%.1f b8=%.1f b32=%.1f train_b32=%.2f ort_b1=%.1f ort_b8=%.1f "
                        + "ort_b32=%.1f peak_gflops=%.1f%n",
                ours[0], ours[1], ours[2], train, ort[0], ort[1], ort[2], peakFlops);
    }

    private static List<String> hugePages() {
        try {
            String mode = java.nio.file.Files.readString(java.nio.file.Path.of(
                    "/sys/kernel/mm/transparent_hugepage/enabled"));
            return mode.contains("[madvise]") ? List.of("-XX:+UseTransparentHugePages") : List.of();
        } catch (IOException | RuntimeException e) {
            return List.of(); // no such file: not Linux, or no transparent huge pages
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    private static double peak(int threads, String[] jvm, boolean quick) throws RunnerException {
        ChainedOptionsBuilder o = new OptionsBuilder().include(FmaPeakBench.class.getName() + ".fma")
                .mode(Mode.Throughput).timeUnit(TimeUnit.SECONDS).threads(threads).forks(1).jvmArgsAppend(jvm)
                .warmupIterations(quick ? 1 : 3).warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 2 : 5).measurementTime(TimeValue.seconds(1));
        RunResult r = single(new Runner(o.build()).run());
        // throughput is summed over threads; median over iterations is not exposed for throughput, use the mean
        return r.getPrimaryResult().getScore() * FmaPeakBench.FLOPS_PER_OP / 1e9;
    }

    /**
     * Warm-up iterations (2 s each) of an inference fork. Our engine's first iteration is one call of seconds (the
     * plan compiled, the first inference interpreted) and the JIT is still at work for several more: with three,
     * the first measured iteration of our batch-1 forks was slower than the two after it, where ONNX Runtime's
     * (native code) was level, and ten in a row settled only from the fifth on (the numbers: README, Benchmarks).
     */
    static final int INFERENCE_WARMUPS = 6;

    private static double imagesPerSecond(String bench, int batch, String[] jvm, boolean quick, boolean slow)
            throws RunnerException {
        ChainedOptionsBuilder o = new OptionsBuilder().include(BenchMain.class.getPackageName() + "." + bench + "\\.")
                .param("batch", Integer.toString(batch)).mode(Mode.SampleTime).timeUnit(TimeUnit.MILLISECONDS)
                .forks(1).jvmArgsAppend(jvm)
                .warmupIterations(quick ? 1 : (slow ? 2 : INFERENCE_WARMUPS))
                .warmupTime(TimeValue.seconds(slow ? 3 : 2))
                .measurementIterations(quick ? 2 : (slow ? 5 : 3)).measurementTime(TimeValue.seconds(slow ? 4 : 2));
        RunResult r = single(new Runner(o.build()).run());
        double medianMs = r.getPrimaryResult().getStatistics().getPercentile(50);
        return batch / (medianMs / 1000);
    }

    private static RunResult single(Collection<RunResult> results) {
        if (results.size() != 1) {
            throw new IllegalStateException("expected one benchmark result, got " + results.size());
        }
        return results.iterator().next();
    }

    private static long rss(String job, int batch, int threads) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules=jdk.incubator.vector",
                "-Dgooglenet.threads=" + threads, "-Xss8m"));
        cmd.addAll(LAUNCHER_MEMORY);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), RssProbe.class.getName(), job,
                Integer.toString(batch)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        long kb = -1;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("RSS_KB ")) {
                    kb = Long.parseLong(line.substring(7).trim());
                }
            }
        }
        if (p.waitFor() != 0 || kb < 0) {
            throw new IllegalStateException("RSS probe '" + job + "' failed");
        }
        return kb;
    }
}
