package dev.googlenet.cli;

import dev.googlenet.kernels.FmaPeak;
import dev.googlenet.kernels.Kernels;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Variant;
import dev.googlenet.nn.Profiler;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.train.GoogLeNetLoss;
import dev.googlenet.train.Sgd;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
            System.setProperty("googlenet.threads", Integer.toString(threads));
        }
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.parse(variant))
                .optAuxHeads(train).optSmallInput(smallInput).optWidth(width).optInputChannels(channels)
                .optNumClasses(classes).build());
        Tensor x = Tensor.zeros(batch, channels, size, size);
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = (float) rnd.nextGaussian();
        }
        int[] labels = new int[batch];
        Sgd sgd = new Sgd(model.parameters(), 1e-4f, 0.9f, 2e-4f, false);
        Runnable step = train ? () -> {
            sgd.zeroGrad();
            var loss = GoogLeNetLoss.compute(model.forwardTrain(x), labels, GoogLeNetLoss.PAPER_AUX_WEIGHT);
            model.backward(loss.gradients(), false);
            sgd.step();
        } : () -> model.forward(x);

        System.out.printf(Locale.ROOT, "GoogLeNet (%s) %s, batch %d, %d×%d, %d threads, kernels %s%n",
                variant, train ? "training step" : "inference", batch, size, size, t, Kernels.describe());
        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        for (int i = 0; i < 2 || System.nanoTime() < warmupEnd; i++) {
            step.run();
        }
        double[] seconds = new double[iterations];
        Profiler.reset();
        Profiler.byShape(byShape);
        Profiler.enable(true);
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            step.run();
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        Profiler.enable(false);
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        double median = sorted[iterations / 2];
        double peak = FmaPeak.gflops(t, 3);

        Map<String, Profiler.Entry> entries = Profiler.snapshot();
        long totalNanos = entries.values().stream().mapToLong(e -> e.nanos).sum();
        long totalMacs = entries.values().stream().mapToLong(e -> e.multiplyAdds).sum();
        System.out.printf(Locale.ROOT, "%.1f images/s (median of %d: %.1f ms per batch), %.1f GFLOP/s = %.1f%% of "
                        + "the FMA peak %.1f GFLOP/s%n", batch / median, iterations, median * 1e3,
                2.0 * totalMacs / iterations / median / 1e9, 100 * 2.0 * totalMacs / iterations / median / 1e9 / peak, peak);
        String name = byShape ? "%-30s" : "%-18s";
        System.out.printf(Locale.ROOT, name + " %9s %7s %9s %8s%n", "layer type", "ms/batch", "share", "GFLOP/s", "% peak");
        List<Map.Entry<String, Profiler.Entry>> rows = new ArrayList<>(entries.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue().nanos, a.getValue().nanos));
        for (var row : rows) {
            Profiler.Entry e = row.getValue();
            double secs = e.nanos / 1e9;
            double gflops = e.multiplyAdds == 0 ? 0 : 2.0 * e.multiplyAdds / secs / 1e9;
            System.out.printf(Locale.ROOT, name + " %9.2f %6.1f%% %9s %8s%n", row.getKey(), e.nanos / 1e6 / iterations,
                    100.0 * e.nanos / totalNanos, gflops == 0 ? "" : String.format(Locale.ROOT, "%.1f", gflops),
                    gflops == 0 ? "" : String.format(Locale.ROOT, "%.1f%%", 100 * gflops / peak));
        }
        return 0;
    }
}
