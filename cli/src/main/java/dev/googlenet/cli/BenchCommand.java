package dev.googlenet.cli;

import dev.googlenet.kernels.FmaPeak;
import dev.googlenet.kernels.Kernels;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Variant;
import dev.googlenet.model.Outputs;
import dev.googlenet.nn.Layer;
import dev.googlenet.plan.InferencePlan;
import dev.googlenet.plan.PlanListener;
import dev.googlenet.kernels.Parallel;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.train.GoogLeNetLoss;
import dev.googlenet.train.Sgd;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

@Command(name = "bench", description = "Time GoogLeNet on this machine: images/s, and per layer type the time, "
        + "GFLOP/s and %% of the FMA peak, so you can see where time goes. (For the comparison with ONNX Runtime "
        + "use bin/bench.)")
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--batch", defaultValue = "1", description = "images per batch (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--threads", description = "threads (default: all cores)")
    Integer threads;

    @Option(names = "--train", description = "time a training step (aux heads on, SGD momentum) instead of inference")
    boolean train;

    @Option(names = "--variant", defaultValue = "torchvision", description = "paper or torchvision (default: ${DEFAULT-VALUE})")
    String variant;

    @Option(names = "--size", defaultValue = "224", description = "input height and width (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--small-input", description = "the small-input network (28×28/32×32 stem); use with --size 28")
    boolean smallInput;

    @Option(names = "--width", defaultValue = "1", description = "channel width multiplier (default: ${DEFAULT-VALUE})")
    float width;

    @Option(names = "--channels", defaultValue = "3", description = "input channels (default: ${DEFAULT-VALUE})")
    int channels;

    @Option(names = "--classes", defaultValue = "1000", description = "classes (default: ${DEFAULT-VALUE})")
    int classes;

    @Option(names = "--iterations", defaultValue = "5", description = "measured iterations (default: ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = "--warmup", defaultValue = "5", description = "seconds of warm-up first, at least 2 iterations "
            + "(the JIT compiles the Vector-API kernels meanwhile; default: ${DEFAULT-VALUE})")
    double warmupSeconds;

    @Option(names = "--by-shape", description = "one row per convolution shape (channels in→out, input map) instead "
            + "of one per kernel kind")
    boolean byShape;

    @Override
    public Integer call() {
        if (threads != null) {
            Parallel.setThreads(threads);
        }
        int t = Parallel.get().threads();
        GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.parse(variant))
                .optAuxHeads(train).optSmallInput(smallInput).optWidth(width).optInputChannels(channels)
                .optNumClasses(classes).build());
        Tensor x = Tensor.zeros(batch, channels, size, size);
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = (float) rnd.nextGaussian();
        }
        System.out.printf(Locale.ROOT, "GoogLeNet (%s) %s, batch %d, %d×%d, %d threads, kernels %s%n",
                variant, train ? "training step" : "inference", batch, size, size, t, Kernels.describe());
        Map<String, long[]> entries = new LinkedHashMap<>(); // name → {nanos, multiply-adds}
        // the step as users run it, timed whole; then the same number of profiled steps for the breakdown
        Consumer<Boolean> step = train ? trainingStep(model, x, entries) : inference(model, x, entries);
        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        for (int i = 0; i < 2 || System.nanoTime() < warmupEnd; i++) {
            step.accept(false);
        }
        double[] seconds = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            step.accept(false);
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        for (int i = 0; i < iterations; i++) {
            step.accept(true);
        }
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        double median = sorted[iterations / 2];
        double peak = FmaPeak.gflops(t, 3);

        long totalNanos = entries.values().stream().mapToLong(e -> e[0]).sum();
        long totalMacs = entries.values().stream().mapToLong(e -> e[1]).sum();
        System.out.printf(Locale.ROOT, "%.1f images/s (median of %d: %.1f ms per batch), %.1f GFLOP/s = %.1f%% of "
                        + "the FMA peak %.1f GFLOP/s%n", batch / median, iterations, median * 1e3,
                2.0 * totalMacs / iterations / median / 1e9, 100 * 2.0 * totalMacs / iterations / median / 1e9 / peak, peak);
        String name = byShape ? "%-44s" : "%-26s";
        System.out.printf(Locale.ROOT, name + " %9s %7s %9s %8s%n", train ? "stage" : "operation", "ms/batch",
                "share", "GFLOP/s", "% peak");
        List<Map.Entry<String, long[]>> rows = new ArrayList<>(entries.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        for (var row : rows) {
            long[] e = row.getValue();
            double secs = e[0] / 1e9;
            double gflops = e[1] == 0 ? 0 : 2.0 * e[1] / secs / 1e9;
            System.out.printf(Locale.ROOT, name + " %9.2f %6.1f%% %9s %8s%n", row.getKey(), e[0] / 1e6 / iterations,
                    100.0 * e[0] / totalNanos, gflops == 0 ? "" : String.format(Locale.ROOT, "%.1f", gflops),
                    gflops == 0 ? "" : String.format(Locale.ROOT, "%.1f%%", 100 * gflops / peak));
        }
        return 0;
    }

    /** Inference through the compiled plan; its listener sums the time per kind of operation (or per shape). */
    private Consumer<Boolean> inference(GoogLeNet model, Tensor x, Map<String, long[]> entries) {
        InferencePlan plan = InferencePlan.compile(model);
        PlanListener listener = (stage, op, detail, nanos, macs) -> {
            long[] e = entries.computeIfAbsent(byShape ? op + " " + detail : op, k -> new long[2]);
            e[0] += nanos;
            e[1] += macs;
        };
        return profiled -> plan.logits(x, profiled ? listener : null);
    }

    /**
     * A training step (SGD with momentum, aux heads on); profiled, the trunk's forward and backward are timed
     * stage by stage, as the model runs them (without the aux heads), and the optimizer as a row of its own.
     */
    private Consumer<Boolean> trainingStep(GoogLeNet model, Tensor x, Map<String, long[]> entries) {
        int[] labels = new int[x.dim(0)];
        Sgd sgd = new Sgd(model.parameters(), 1e-4f, 0.9f, 2e-4f, false);
        List<String> names = model.trunk().names();
        List<Layer> layers = model.trunk().layers();
        return profiled -> {
            sgd.zeroGrad();
            if (!profiled) {
                var loss = GoogLeNetLoss.compute(model.forwardTrain(x), labels, GoogLeNetLoss.PAPER_AUX_WEIGHT);
                model.backward(loss.gradients(), false);
                sgd.step();
                return;
            }
            // the trunk alone, stage by stage (what forwardTrain and backward do, minus the aux heads)
            Tensor y = x;
            int[] shape = x.shape();
            for (int i = 0; i < layers.size(); i++) {
                long t0 = System.nanoTime();
                y = layers.get(i).forward(y, true);
                add(entries, names.get(i) + " fwd", System.nanoTime() - t0, layers.get(i).multiplyAdds(shape));
                shape = y.shape();
            }
            var main = GoogLeNetLoss.compute(new Outputs(y, null, null), labels, 0f);
            Tensor g = main.gradients().main();
            shape = x.shape();
            long[] macs = new long[layers.size()];
            for (int i = 0; i < layers.size(); i++) {
                macs[i] = layers.get(i).multiplyAdds(shape);
                shape = layers.get(i).outputShape(shape);
            }
            for (int i = layers.size() - 1; i >= 0; i--) {
                long t0 = System.nanoTime();
                g = layers.get(i).backward(g);
                add(entries, names.get(i) + " bwd", System.nanoTime() - t0, i == 0 ? macs[i] : 2 * macs[i]);
            }
            long t0 = System.nanoTime();
            sgd.step();
            add(entries, "optimizer", System.nanoTime() - t0, 0);
        };
    }

    private static void add(Map<String, long[]> entries, String key, long nanos, long macs) {
        long[] e = entries.computeIfAbsent(key, k -> new long[2]);
        e[0] += nanos;
        e[1] += macs;
    }
}
