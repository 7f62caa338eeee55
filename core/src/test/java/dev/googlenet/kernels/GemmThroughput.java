package dev.googlenet.kernels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Manual throughput tool (not a test): GFLOP/s of VectorGemm on GoogLeNet's GEMM shapes, medians of repeated
 * timed batches after warm-up, with 1 and 2 threads. Run after {@code mvn test-compile}:
 * <pre>
 * java --add-modules jdk.incubator.vector -cp core/target/classes:core/target/test-classes \
 *     dev.googlenet.kernels.GemmThroughput [reps] [threads,...] [name filter | MxNxK[:NN|NT|TN|TT] | net]
 * </pre>
 * Peak is quoted against 116.7 GFLOP/s per core (one 512-bit FMA per cycle, measured on the dev machine).
 * "best" is the fastest batch; "GF/cpu-s" is GFLOP per second of process CPU time (all threads, spinning
 * included), which other processes' load disturbs much less than wall time.
 */
public final class GemmThroughput {
    private static final double PEAK_PER_CORE = 116.7;
    /** Process CPU time: GFLOP per CPU-second stays meaningful when other processes take the cores away. */
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    private static final long WARMUP_NANOS = Long.getLong("warmup.ms", 2000) * 1_000_000L;

    private record Shape(String name, boolean transA, boolean transB, int m, int n, int k) {
        double flops() {
            return 2.0 * m * n * k;
        }
    }

    private static final List<Shape> SHAPES = List.of(
            new Shape("conv1 7x7 fwd", false, false, 64, 12544, 147),
            new Shape("conv2 3x3 fwd", false, false, 192, 3136, 576),
            new Shape("3b 1x1 fwd", false, false, 128, 784, 256),
            new Shape("4a 3x3 fwd", false, false, 208, 196, 864),
            new Shape("5b 1x1 fwd", false, false, 384, 49, 832),
            new Shape("linear b=1", false, true, 1, 1000, 1024),
            new Shape("linear b=32", false, true, 32, 1000, 1024),
            new Shape("conv1 dW (NT)", false, true, 64, 147, 12544),
            new Shape("conv2 dW (NT)", false, true, 192, 576, 3136),
            new Shape("4a dW (NT)", false, true, 208, 864, 196),
            new Shape("conv1 dcol (TN)", true, false, 147, 12544, 64),
            new Shape("conv2 dcol (TN)", true, false, 576, 3136, 192),
            new Shape("4a dcol (TN)", true, false, 864, 196, 208),
            new Shape("square 1024 (TT)", true, true, 1024, 1024, 1024));

    /** Every convolution of GoogLeNet (Inception v1, 5x5 branches) at 224x224 as {M, N, K}, then the classifier. */
    private static final int[][] NET = netShapes();

    private static int[][] netShapes() {
        List<int[]> out = new ArrayList<>();
        out.add(new int[] {64, 12544, 147});                 // conv1 7x7/2
        out.add(new int[] {64, 3136, 64});                   // conv2 reduce
        out.add(new int[] {192, 3136, 576});                 // conv2 3x3
        // inception: in, 1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool proj, pixels
        int[][] inception = {
                {192, 64, 96, 128, 16, 32, 32, 784}, {256, 128, 128, 192, 32, 96, 64, 784},
                {480, 192, 96, 208, 16, 48, 64, 196}, {512, 160, 112, 224, 24, 64, 64, 196},
                {512, 128, 128, 256, 24, 64, 64, 196}, {512, 112, 144, 288, 32, 64, 64, 196},
                {528, 256, 160, 320, 32, 128, 128, 196}, {832, 256, 160, 320, 32, 128, 128, 49},
                {832, 384, 192, 384, 48, 128, 128, 49}};
        for (int[] b : inception) {
            int in = b[0];
            int px = b[7];
            out.add(new int[] {b[1], px, in});
            out.add(new int[] {b[2], px, in});
            out.add(new int[] {b[3], px, b[2] * 9});
            out.add(new int[] {b[4], px, in});
            out.add(new int[] {b[5], px, b[4] * 25});
            out.add(new int[] {b[6], px, in});
        }
        return out.toArray(int[][]::new);
    }

    private GemmThroughput() {
    }

    /** Time of all of GoogLeNet's convolution GEMMs plus the classifier, for one image (im2col etc. excluded). */
    private static void net(int reps, int[] threadCounts) {
        for (int threads : threadCounts) {
            try (Parallel pool = new Parallel(threads)) {
                VectorGemm gemm = new VectorGemm(pool);
                for (int[] d : NET) { // JIT warm-up for all shapes first, then shorter per-shape warm-ups
                    measure(gemm, new Shape("warm", false, false, d[0], d[1], d[2]), 1, 20_000_000L);
                }
                long warm = 300_000_000L;
                double ms = 0;
                double flops = 0;
                for (int[] d : NET) {
                    Shape s = new Shape("net", false, false, d[0], d[1], d[2]);
                    ms += measure(gemm, s, reps, warm)[1];
                    flops += s.flops();
                }
                Shape fc = new Shape("fc", false, true, 1, 1000, 1024);
                ms += measure(gemm, fc, reps, warm)[1];
                flops += fc.flops();
                double gflops = flops / (ms / 1e3) / 1e9;
                System.out.printf(Locale.ROOT, "GoogLeNet forward GEMMs (%d calls, %.2f GFLOP): %d thread(s) %.2f ms = "
                        + "%.1f GFLOP/s, %.1f%% of peak%n", NET.length + 1, flops / 1e9, threads, ms, gflops,
                        100 * gflops / (PEAK_PER_CORE * threads));
            }
        }
    }

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        int[] threadCounts = args.length > 1
                ? Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray() : new int[] {1, 2};
        String filter = args.length > 2 ? args[2] : "";
        System.out.printf(Locale.ROOT, "VL=%d floats, KC=%d, NC=%d, reps=%d%n", VectorGemm.VL, VectorGemm.KC,
                VectorGemm.NC, reps);
        System.out.printf(Locale.ROOT, "%-18s %5s %6s %6s %3s %10s %7s %10s %8s %9s%n",
                "shape", "M", "N", "K", "thr", "GFLOP/s", "%peak", "ms/call", "best", "GF/cpu-s");
        if (filter.equals("net")) {
            net(reps, threadCounts);
            return;
        }
        List<Shape> shapes = SHAPES;
        if (filter.matches("\\d+x\\d+x\\d+(:[NT][NT])?")) { // a custom shape, e.g. 192x512x256:NN
            String[] d = filter.split("[x:]");
            boolean ta = d.length > 3 && d[3].charAt(0) == 'T';
            boolean tb = d.length > 3 && d[3].charAt(1) == 'T';
            shapes = List.of(new Shape("custom", ta, tb, Integer.parseInt(d[0]), Integer.parseInt(d[1]),
                    Integer.parseInt(d[2])));
            filter = "";
        }
        // Thread counts are interleaved per shape so that load from other processes hits them alike.
        Parallel[] pools = Arrays.stream(threadCounts).mapToObj(Parallel::new).toArray(Parallel[]::new);
        for (Shape s : shapes) {
            if (!s.name().contains(filter)) {
                continue;
            }
            for (Parallel pool : pools) {
                double[] r = measure(new VectorGemm(pool), s, reps, WARMUP_NANOS);
                int threads = pool.threads();
                System.out.printf(Locale.ROOT, "%-18s %5d %6d %6d %3d %10.1f %6.1f%% %10.3f %8.1f %9.1f%n", s.name(),
                        s.m(), s.n(), s.k(), threads, r[0], 100 * r[0] / (PEAK_PER_CORE * threads), r[1], r[2], r[3]);
            }
        }
        for (Parallel pool : pools) {
            pool.close();
        }
    }

    /** Median GFLOP/s, median ms per call, best GFLOP/s and median GFLOP per CPU-second over reps batches. */
    private static double[] measure(VectorGemm gemm, Shape s, int reps, long warmNanos) {
        Random rnd = new Random(1);
        float[] a = new float[s.m() * s.k()];
        float[] b = new float[s.k() * s.n()];
        float[] c = new float[s.m() * s.n()];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextFloat() - 0.5f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = rnd.nextFloat() - 0.5f;
        }
        int lda = s.transA() ? s.m() : s.k();
        int ldb = s.transB() ? s.k() : s.n();
        Runnable call = () -> gemm.sgemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), a, 0, lda, b, 0, ldb,
                0f, c, 0, s.n());
        long warmUntil = System.nanoTime() + warmNanos;
        int calls = 0;
        while (System.nanoTime() < warmUntil) {
            call.run();
            calls++;
        }
        int perBatch = Math.max(1, calls / 10);
        List<Double> gflops = new ArrayList<>();
        List<Double> ms = new ArrayList<>();
        List<Double> perCpu = new ArrayList<>();
        for (int r = 0; r < reps; r++) {
            long cpu0 = OS.getProcessCpuTime();
            long t0 = System.nanoTime();
            for (int i = 0; i < perBatch; i++) {
                call.run();
            }
            double sec = (System.nanoTime() - t0) / 1e9 / perBatch;
            double cpuSec = (OS.getProcessCpuTime() - cpu0) / 1e9 / perBatch;
            gflops.add(s.flops() / sec / 1e9);
            ms.add(sec * 1e3);
            perCpu.add(s.flops() / cpuSec / 1e9);
        }
        return new double[] {median(gflops), median(ms), gflops.stream().mapToDouble(x -> x).max().orElse(0),
                median(perCpu)};
    }

    private static double median(List<Double> x) {
        List<Double> sorted = new ArrayList<>(x);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
