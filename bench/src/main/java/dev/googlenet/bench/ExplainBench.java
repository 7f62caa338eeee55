package dev.googlenet.bench;

import dev.googlenet.explain.Explainer;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.plan.InferencePlan;
import dev.googlenet.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Explanations against the inference they are built on, side by side in one JMH run (so both see the same machine
 * weather): Grad-CAM on one 224×224 image against one batch-1 inference call (target ≤ 3×), and occlusion with a
 * 7×7 grid (32-pixel patches, stride 32: 49 occluded copies, batched through the plan) against batch-32 inference
 * (target ≥ 80% of its images per second). Sample mode: read the medians (p0.50) and the spread.
 * <p>
 * {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.openjdk.jmh.Main ExplainBench}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 3)
@Measurement(iterations = 6, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xss8m"})
public class ExplainBench {
    /** Occluded copies of a 7×7 grid: what occlusion's images-per-second counts. */
    public static final int OCCLUDED = 49;

    private InferencePlan plan;
    private Explainer explainer;
    private Tensor one;
    private Tensor batch32;

    @Setup
    public void setup() {
        GoogLeNet model = Models.torchvision(false);
        plan = InferencePlan.compile(model);
        explainer = Explainer.of(model, plan);
        one = Models.randomImages(1, 7);
        batch32 = Models.randomImages(32, 8);
    }

    @Benchmark
    public Tensor inferenceBatch1() {
        return plan.logits(one);
    }

    @Benchmark
    public Explainer.Explanation gradCamInception5b() {
        return explainer.gradCam(one, null, "inception5b");
    }

    @Benchmark
    public Explainer.Explanation gradCamInception4c() {
        return explainer.gradCam(one, null, "inception4c");
    }

    @Benchmark
    public Tensor inferenceBatch32() {
        return plan.logits(batch32);
    }

    @Benchmark
    public Explainer.Explanation occlusion7x7() {
        return explainer.occlusion(one, null, 32, 32, 0f);
    }
}
