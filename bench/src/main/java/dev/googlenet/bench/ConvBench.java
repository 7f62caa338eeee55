package dev.googlenet.bench;

import dev.googlenet.nn.Conv2d;
import dev.googlenet.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One convolution layer, forward (training mode) and backward, on the shapes that dominate training: the
 * small-input GoogLeNet's Inception maps (28×28 Fashion-MNIST: 14×14, 7×7, 4×4 at batch 128) and two full-size
 * (224×224, batch 32) layers. A shape is {@code N×Cin×H×W>Cout/kernel/stride/padding}. Multiply-adds per call:
 * N·Cout·OH·OW·Cin·k² for forward, twice that for backward (dW and dX); % of the FMA peak = 2·multiply-adds / time
 * against ~116 GFLOP/s per core.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ConvBench {
    @Param({
            "128x96x14x14>128/3/1/1",
            "128x240x7x7>96/1/1/0",
            "128x112x7x7>224/3/1/1",
            "128x416x4x4>192/3/1/1",
            "128x416x4x4>128/1/1/0",
            "32x480x14x14>192/1/1/0",
            "32x96x28x28>128/3/1/1"})
    public String shape;

    private Conv2d conv;
    private Tensor input;
    private Tensor gradOut;

    @Setup
    public void setup() {
        String[] io = shape.split(">");
        String[] in = io[0].split("x");
        String[] k = io[1].split("/");
        int n = Integer.parseInt(in[0]), cin = Integer.parseInt(in[1]);
        int h = Integer.parseInt(in[2]), w = Integer.parseInt(in[3]);
        int cout = Integer.parseInt(k[0]), kernel = Integer.parseInt(k[1]);
        int stride = Integer.parseInt(k[2]), pad = Integer.parseInt(k[3]);
        conv = new Conv2d(cin, cout, kernel, stride, pad, false);
        Random rnd = new Random(7);
        fill(conv.weight().value(), rnd, (float) Math.sqrt(2.0 / (cin * kernel * kernel)));
        input = Tensor.zeros(n, cin, h, w);
        fill(input, rnd, 1f);
        gradOut = Tensor.zeros(conv.outputShape(input.shape()));
        fill(gradOut, rnd, 1f);
        conv.forward(input, true); // backward needs the layer's saved input
    }

    private static void fill(Tensor t, Random rnd, float scale) {
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (rnd.nextFloat() * 2f - 1f) * scale;
        }
    }

    @Benchmark
    public Tensor forward() {
        return conv.forward(input, true);
    }

    /** Weight gradient (accumulated; never reset here, which does not change the cost) and input gradient. */
    @Benchmark
    public Tensor backward() {
        return conv.backward(gradOut);
    }
}
