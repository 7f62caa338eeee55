package dev.googlenet.kernels;

import dev.googlenet.nn.Conv2d;
import dev.googlenet.tensor.Tensor;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Manual throughput tool (not a test): GoogLeNet's 3×3/1 convolutions at batch 1, the current im2col + GEMM path
 * ({@link Conv2d#forwardInto}) against {@link Winograd3x3} F(2×2) and F(4×4), on the engine pool. Effective
 * GFLOP/s count direct-convolution FLOPs (2·Cout·Cin·9·H·W). Run once per thread count (the engine pool's size is
 * fixed per JVM), after {@code mvn test-compile}:
 * <pre>
 * java --add-modules jdk.incubator.vector -Dgooglenet.threads=2 \
 *     -cp core/target/classes:core/target/test-classes dev.googlenet.kernels.WinogradThroughput [reps] [filter]
 * </pre>
 * With {@code -Dmode=sequence} it runs the 18 layers back to back instead (see {@link #sequence}).
 * Per shape and path: median wall ms per image over {@code reps} timed batches of ~{@code batch.ms} ms (paths
 * interleaved per batch so that load from other processes hits them alike), effective GFLOP/s from that median,
 * ({@code -Dpaths=F2,F4} skips the im2col path, for tuning runs)
 * and GFLOP per CPU-second (process CPU time, idle-spinning workers included), which other processes on the
 * machine disturb less than wall time.
 */
public final class WinogradThroughput {
    private static final long WARMUP_NANOS = Long.getLong("warmup.ms", 1500) * 1_000_000L;
    private static final long BATCH_NANOS = Long.getLong("batch.ms", 60) * 1_000_000L;

    record Shape(int cin, int cout, int hw) {
        double flops() {
            return 2.0 * cout * cin * 9 * hw * hw;
        }

        String name() {
            return cin + "->" + cout + "@" + hw;
        }
    }

    static final List<Shape> SHAPES = List.of(
            new Shape(64, 192, 56), new Shape(96, 128, 28), new Shape(16, 32, 28), new Shape(128, 192, 28),
            new Shape(32, 96, 28), new Shape(96, 208, 14), new Shape(16, 48, 14), new Shape(112, 224, 14),
            new Shape(24, 64, 14), new Shape(128, 256, 14), new Shape(144, 288, 14), new Shape(32, 64, 14),
            new Shape(160, 320, 14), new Shape(32, 128, 14), new Shape(160, 320, 7), new Shape(32, 128, 7),
            new Shape(192, 384, 7), new Shape(48, 128, 7));

    private WinogradThroughput() {
    }

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        String filter = args.length > 1 ? args[1] : "";
        if (System.getProperty("mode", "").equals("sequence")) {
            sequence(reps);
            return;
        }
        Parallel pool = Parallel.get();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        String[] paths = {"im2col", "F2", "F4"};
        System.out.printf(Locale.ROOT, "threads=%d VL=%d reps=%d (median ms/image; eff. GFLOP/s; GFLOP/CPU-s)%n",
                pool.threads(), VectorWinograd3x3.VL, reps);
        System.out.printf(Locale.ROOT, "%-14s %8s | %8s %6s %6s | %8s %6s %6s | %8s %6s %6s | %5s %5s | %s%n",
                "shape", "MFLOP", "im2col", "GF/s", "GF/cs", "F2", "GF/s", "GF/cs", "F4", "GF/s", "GF/cs",
                "F2x", "F4x", "min ms: im2col F2 F4 (F2x F4x); median of per-rep F2x F4x");
        double[] sums = new double[paths.length];
        double[] minSums = new double[paths.length];
        for (Shape s : SHAPES) {
            if (!s.name().contains(filter)) {
                continue;
            }
            Runnable[] calls = calls(s);
            if (!System.getProperty("paths", "im2col,F2,F4").contains("im2col")) { // skip im2col (tuning runs)
                calls[0] = () -> { };
            }
            // warm-up, all paths
            for (Runnable c : calls) {
                long until = System.nanoTime() + WARMUP_NANOS;
                while (System.nanoTime() < until) {
                    c.run();
                }
            }
            int[] perBatch = new int[calls.length];
            for (int p = 0; p < calls.length; p++) {
                long t0 = System.nanoTime();
                int k = 0;
                while (System.nanoTime() - t0 < BATCH_NANOS / 4 || k < 1) {
                    calls[p].run();
                    k++;
                }
                perBatch[p] = Math.max(1, k * 4);
            }
            double[][] ms = new double[calls.length][reps];
            double[][] cpu = new double[calls.length][reps];
            for (int r = 0; r < reps; r++) {
                for (int p = 0; p < calls.length; p++) {
                    long c0 = os.getProcessCpuTime();
                    long t0 = System.nanoTime();
                    for (int i = 0; i < perBatch[p]; i++) {
                        calls[p].run();
                    }
                    long t1 = System.nanoTime();
                    long c1 = os.getProcessCpuTime();
                    ms[p][r] = (t1 - t0) / 1e6 / perBatch[p];
                    cpu[p][r] = (c1 - c0) / 1e9 / perBatch[p];
                }
            }
            double[] med = new double[calls.length];
            double[] min = new double[calls.length];
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-14s %8.1f", s.name(),
                    s.flops() / 1e6));
            for (int p = 0; p < calls.length; p++) {
                med[p] = median(ms[p]);
                min[p] = Arrays.stream(ms[p]).min().orElse(0);
                sums[p] += med[p];
                minSums[p] += min[p];
                line.append(String.format(Locale.ROOT, " | %8.3f %6.1f %6.1f", med[p], s.flops() / med[p] / 1e6,
                        s.flops() / median(cpu[p]) / 1e9));
            }
            line.append(String.format(Locale.ROOT, " | %5.2f %5.2f", med[0] / med[1], med[0] / med[2]));
            double[] r2 = new double[reps];
            double[] r4 = new double[reps];
            for (int r = 0; r < reps; r++) { // paths ran back to back in each rep: their ratio sees the same load
                r2[r] = ms[0][r] / ms[1][r];
                r4[r] = ms[0][r] / ms[2][r];
            }
            line.append(String.format(Locale.ROOT, " | %7.3f %7.3f %7.3f (%4.2f %4.2f); %4.2f %4.2f", min[0], min[1],
                    min[2], min[0] / min[1], min[0] / min[2], median(r2), median(r4)));
            System.out.println(line);
        }
        System.out.printf(Locale.ROOT, "%-14s %8s | %8.3f %13s | %8.3f %13s | %8.3f %13s | %5.2f %5.2f | %7.3f %7.3f"
                        + " %7.3f (%4.2f %4.2f)%n", "sum (ms)", "", sums[0], "", sums[1], "", sums[2], "",
                sums[0] / sums[1], sums[0] / sums[2], minSums[0], minSums[1], minSums[2], minSums[0] / minSums[1],
                minSums[0] / minSums[2]);
    }

    /**
     * All 18 layers back to back with distinct weights, like one inference, per path; with {@code -Dflush.mb=N}
     * a buffer of N MB is read between inferences (as the rest of the network would evict the cache). Per layer:
     * median ms inside the sequence; totals: median per inference, and the per-layer best path ("best").
     */
    static void sequence(int reps) {
        int flushMb = Integer.getInteger("flush.mb", 0);
        float[] flush = new float[flushMb * 262144];
        List<Runnable[]> layers = new ArrayList<>();
        for (Shape s : SHAPES) {
            Runnable[] c = calls(s);
            int tile = Winograd3x3.suggestedTile(1, s.cin(), s.cout(), s.hw(), s.hw());
            layers.add(new Runnable[] {c[0], c[1], c[2], tile == 4 ? c[2] : tile == 2 ? c[1] : c[0]});
        }
        String[] paths = {"im2col", "F2", "F4", "suggested"};
        int n = SHAPES.size();
        double[][][] ms = new double[paths.length][n][reps];
        // this thread's CPU time per layer: with one thread, immune to being descheduled by other processes
        double[][][] cpu = new double[paths.length][n][reps];
        java.lang.management.ThreadMXBean tmx = ManagementFactory.getThreadMXBean();
        double[][] total = new double[paths.length][reps];
        float sink = 0;
        for (int r = -3; r < reps; r++) { // 3 warm-up inferences (plus the JIT warm-up below)
            if (r == -3) {
                for (Runnable[] l : layers) {
                    for (Runnable c : l) {
                        long until = System.nanoTime() + WARMUP_NANOS / 6;
                        while (System.nanoTime() < until) {
                            c.run();
                        }
                    }
                }
            }
            for (int p = 0; p < paths.length; p++) {
                for (int i = 0; i < flush.length; i += 16) {
                    sink += flush[i];
                }
                long start = System.nanoTime();
                for (int l = 0; l < n; l++) {
                    long c0 = tmx.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    layers.get(l)[p].run();
                    if (r >= 0) {
                        ms[p][l][r] = (System.nanoTime() - t0) / 1e6;
                        cpu[p][l][r] = (tmx.getCurrentThreadCpuTime() - c0) / 1e6;
                    }
                }
                if (r >= 0) {
                    total[p][r] = (System.nanoTime() - start) / 1e6;
                }
            }
        }
        System.out.printf(Locale.ROOT, "sequence: threads=%d flush=%d MB reps=%d (median ms per layer inside the"
                + " sequence)%s%n", Parallel.get().threads(), flushMb, reps, sink == 42 ? " " : "");
        System.out.printf(Locale.ROOT, "%-14s | %8s %8s %8s | %5s %5s | %-6s | %26s%n", "shape", "im2col", "F2", "F4",
                "F2x", "F4x", "best", "caller-thread CPU ms");
        double best = 0;
        double[] cpuSum = new double[paths.length];
        for (int l = 0; l < n; l++) {
            double[] med = new double[paths.length];
            double[] medCpu = new double[paths.length];
            int arg = 0;
            for (int p = 0; p < paths.length; p++) {
                med[p] = median(ms[p][l]);
                medCpu[p] = median(cpu[p][l]);
                cpuSum[p] += medCpu[p];
                if (p < 3 && med[p] < med[arg]) {
                    arg = p;
                }
            }
            best += med[arg];
            System.out.printf(Locale.ROOT, "%-14s | %8.3f %8.3f %8.3f | %5.2f %5.2f | %-6s | %8.3f %8.3f %8.3f%n",
                    SHAPES.get(l).name(), med[0], med[1], med[2], med[0] / med[1], med[0] / med[2], paths[arg],
                    medCpu[0], medCpu[1], medCpu[2]);
        }
        System.out.printf(Locale.ROOT, "%-14s | %26s | %11s | %8.3f %8.3f %8.3f%n", "sum of layers", "", "",
                cpuSum[0], cpuSum[1], cpuSum[2]);
        double[] tot = new double[paths.length];
        for (int p = 0; p < paths.length; p++) {
            tot[p] = median(total[p]);
        }
        System.out.printf(Locale.ROOT, "%-14s | %8.3f %8.3f %8.3f | %5.2f %5.2f | best per layer %.3f (%.2fx)"
                        + "; suggestedTile %.3f (%.2fx)%n", "inference", tot[0], tot[1], tot[2], tot[0] / tot[1],
                tot[0] / tot[2], best, tot[0] / best, tot[3], tot[0] / tot[3]);
        double[] min = new double[paths.length];
        for (int p = 0; p < paths.length; p++) {
            min[p] = Arrays.stream(total[p]).min().orElse(0);
        }
        System.out.printf(Locale.ROOT, "%-14s | %8.3f %8.3f %8.3f | %5.2f %5.2f | (fastest inference of each path)"
                        + "; suggestedTile %.3f (%.2fx)%n", "inference min", min[0], min[1], min[2], min[0] / min[1],
                min[0] / min[2], min[3], min[0] / min[3]);
    }

    /** The three paths for one shape, with fused bias + ReLU, writing into a 2·Cout-channel output at offset Cout. */
    static Runnable[] calls(Shape s) {
        Random rnd = new Random(1);
        int cin = s.cin(), cout = s.cout(), h = s.hw(), w = s.hw();
        Tensor x = Tensor.zeros(1, cin, h, w);
        float[] wt = new float[cout * cin * 9];
        float[] bias = new float[cout];
        fill(rnd, x.data());
        fill(rnd, wt);
        fill(rnd, bias);
        Tensor out = Tensor.zeros(1, 2 * cout, h, w);
        Conv2d conv = new Conv2d(cin, cout, 3, 1, 1, false);
        Winograd3x3.Weights u2 = Winograd3x3.transformWeights(wt, 0, cout, cin, 2);
        Winograd3x3.Weights u4 = Winograd3x3.transformWeights(wt, 0, cout, cin, 4);
        return new Runnable[] {
                () -> conv.forwardInto(x, wt, bias, true, out, cout),
                () -> Winograd3x3.forward(x.data(), 0, cin, h, w, u2, bias, true, out.data(), 0, 2 * cout, cout),
                () -> Winograd3x3.forward(x.data(), 0, cin, h, w, u4, bias, true, out.data(), 0, 2 * cout, cout)};
    }

    private static void fill(Random rnd, float[] a) {
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextFloat() - 0.5f;
        }
    }

    static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    @SuppressWarnings("unused")
    private static List<Double> list(double[] a) {
        List<Double> l = new ArrayList<>();
        for (double v : a) {
            l.add(v);
        }
        return l;
    }
}
