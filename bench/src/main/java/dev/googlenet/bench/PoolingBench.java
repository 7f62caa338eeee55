package dev.googlenet.bench;

import dev.googlenet.kernels.Pooling;
import dev.googlenet.tensor.Shape;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@link Pooling#maxPool} on the shapes of a 28×28-input (Fashion-MNIST) GoogLeNet at batch 128 and one 224-input
 * shape, with and without argmax (training records it). Sample mode: read the p0.50 lines. The shape is
 * {@code N×C×H×W/kernel/stride/padding} with ceil-mode output sizes, as GoogLeNet's pools use.
 * GB/s = (input floats + output floats + argmax ints) · 4 bytes / time. The jar's main class is BenchMain, so:
 * {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.openjdk.jmh.Main PoolingBench
 * -f 1 -wi 3 -i 5 -w 1 -r 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PoolingBench {
    @Param({"128x96x14x14/3/1/1", "128x240x7x7/3/1/1", "128x416x4x4/3/1/1", "128x32x28x28/3/2/0",
            "32x192x28x28/3/1/1"})
    public String shape;

    @Param({"true", "false"})
    public boolean argmax;

    private int planes, h, w, kernel, stride, padding, oh, ow;
    private float[] in, out;
    private int[] idx;

    @Setup
    public void setup() {
        String[] parts = shape.split("/");
        String[] dims = parts[0].split("x");
        planes = Integer.parseInt(dims[0]) * Integer.parseInt(dims[1]);
        h = Integer.parseInt(dims[2]);
        w = Integer.parseInt(dims[3]);
        kernel = Integer.parseInt(parts[1]);
        stride = Integer.parseInt(parts[2]);
        padding = Integer.parseInt(parts[3]);
        oh = Shape.pooledSize(h, kernel, stride, padding, true);
        ow = Shape.pooledSize(w, kernel, stride, padding, true);
        in = new float[planes * h * w];
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < in.length; i++) {
            in[i] = (float) rnd.nextDouble(-1, 1);
        }
        out = new float[planes * oh * ow];
        idx = argmax ? new int[out.length] : null;
    }

    @Benchmark
    public float[] forward() {
        Pooling.maxPool(in, planes, h, w, kernel, stride, padding, oh, ow, out, idx);
        return out;
    }
}
