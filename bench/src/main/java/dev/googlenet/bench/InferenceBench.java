package dev.googlenet.bench;

import dev.googlenet.model.GoogLeNet;
import dev.googlenet.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Our GoogLeNet inference (eval mode, aux heads off) on a batch of 224×224 images. */
@State(Scope.Benchmark)
public class InferenceBench {
    @Param({"1", "8", "32"})
    public int batch;

    private GoogLeNet model;
    private Tensor input;

    @Setup
    public void setup() {
        model = Models.torchvision(false);
        input = Models.randomImages(batch, 7);
    }

    @Benchmark
    public Tensor googlenet() {
        return model.forward(input);
    }
}
