package dev.googlenet.kernels;

import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Outputs;
import dev.googlenet.model.Variant;
import dev.googlenet.nn.Param;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.train.GoogLeNetLoss;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Small GoogLeNets through the engine, forward (inference and training) and backward on fixed seeded inputs,
 * boiled down to a list of (value, scale, kind) triples: logits and losses ({@link #FORWARD}), and per parameter the
 * sum of its gradient judged against the sum of its magnitudes ({@link #GRADIENT}). Three models between them reach every kernel family: the small-input torchvision network
 * (BatchNorm, Winograd, stride-1 pools), the small-input paper network (biased convolutions, LRN, 5×5) and the
 * torchvision network with its 7×7/2 stem (strided convolution, strided pools) on 32×32 images.
 *
 * <p>Run as a main class by {@link ScalarFallbackTest} in a JVM without the vector module (it prints the triples,
 * one number a line), and as a {@link Supplier} in-process or in a {@link FreshEngine}.
 */
public final class EngineProbe implements Supplier<double[]> {
    /** Kind of a value that is a continuous function of the inputs and weights (forward: ReLU and max are). */
    static final double FORWARD = 0;
    /**
     * Kind of a gradient sum: rounding can tip a ReLU or a max pool's choice near a tie, which moves some of the
     * gradient elsewhere, so two kernel families agree on it only up to such jumps.
     */
    static final double GRADIENT = 1;

    /**
     * Args: {@code configure} applies {@link EngineOptions#fromSystemProperties()} with {@link Engine#configure}
     * first (else the first use picks them up); {@code first} runs only the first model. Prints "kernels vector" or
     * "kernels scalar", then the values.
     */
    public static void main(String[] args) {
        List<String> flags = List.of(args);
        if (flags.contains("configure")) {
            Engine.configure(EngineOptions.fromSystemProperties());
        }
        double[] values = compute(flags.contains("first") ? 1 : MODELS);
        System.out.println("kernels " + (Kernels.vector() ? "vector" : "scalar"));
        StringBuilder out = new StringBuilder();
        for (double v : values) {
            out.append(v).append('\n');
        }
        System.out.print(out);
    }

    @Override
    public double[] get() {
        return compute(MODELS);
    }

    static final int MODELS = 3;

    /** The triples of the first {@code models} models. */
    static double[] compute(int models) {
        List<Double> triples = new ArrayList<>();
        GoogLeNetConfig.Builder[] configs = {
                GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION).optSmallInput(true),
                GoogLeNetConfig.builder().setVariant(Variant.PAPER).optSmallInput(true),
                GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION).optAuxHeads(false)};
        int[] sizes = {28, 28, 32};
        for (int i = 0; i < models; i++) {
            GoogLeNet model = new GoogLeNet(configs[i].optWidth(0.25f).optInputChannels(1).optNumClasses(10)
                    .optSeed(11 + i).build());
            probe(model, sizes[i], 100 + i, triples);
        }
        double[] out = new double[triples.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = triples.get(i);
        }
        return out;
    }

    private static void probe(GoogLeNet model, int size, long seed, List<Double> triples) {
        int batch = 2;
        Tensor x = Tensor.zeros(batch, 1, size, size);
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] xd = x.data();
        for (int i = 0; i < xd.length; i++) {
            xd[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        for (float v : model.forward(x).data()) { // inference: running statistics, no dropout
            add(triples, v, 1 + Math.abs(v), FORWARD);
        }
        Outputs out = model.forwardTrain(x);
        for (float v : out.main().data()) {
            add(triples, v, 1 + Math.abs(v), FORWARD);
        }
        GoogLeNetLoss.Result loss = GoogLeNetLoss.compute(out, new int[] {3, 7}, GoogLeNetLoss.PAPER_AUX_WEIGHT);
        add(triples, loss.total(), 1 + Math.abs(loss.total()), FORWARD);
        sums(model.backward(loss.gradients()).data(), triples); // the input gradient
        for (Param p : model.parameters()) {
            sums(p.grad().data(), triples);
        }
    }

    /** (Σ g, Σ |g|): the sum, judged against the sum of magnitudes (cancellation makes the sum itself small). */
    private static void sums(float[] g, List<Double> triples) {
        double s = 0, a = 0;
        for (float v : g) {
            s += v;
            a += Math.abs(v);
        }
        add(triples, s, a, GRADIENT);
    }

    private static void add(List<Double> triples, double value, double scale, double kind) {
        triples.add(value);
        triples.add(scale);
        triples.add(kind);
    }
}
