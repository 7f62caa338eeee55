package dev.googlenet.bench;

import dev.googlenet.plan.InferencePlan;
import dev.googlenet.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Our GoogLeNet inference (its compiled plan: eval mode, aux heads off) on a batch of 224×224 images. */
@State(Scope.Benchmark)
public class InferenceBench {
    @Param({"1", "8", "32"})
    public int batch;

    private InferencePlan plan;
    private Tensor input;

    @Setup
    public void setup() {
        plan = InferencePlan.compile(Models.torchvision(false));
        input = Models.randomImages(batch, 7);
    }

    @Benchmark
    public Tensor googlenet() {
        return plan.logits(input);
    }
}
