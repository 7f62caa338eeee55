package dev.googlenet.plan;

import dev.googlenet.kernels.Gemm;
import dev.googlenet.kernels.Kernels;
import dev.googlenet.kernels.Parallel;
import dev.googlenet.model.ConvBlock;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.Inception;
import dev.googlenet.nn.AdaptiveAvgPool2d;
import dev.googlenet.nn.AvgPool2d;
import dev.googlenet.nn.Dropout;
import dev.googlenet.nn.Flatten;
import dev.googlenet.nn.Layer;
import dev.googlenet.nn.Linear;
import dev.googlenet.nn.Lrn;
import dev.googlenet.nn.MaxPool2d;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link GoogLeNet} compiled for inference — what ONNX Runtime's session is to its graph. Compiling takes the
 * model's weights as they are now and plans how to run it fast:
 * <ul>
 *   <li>BatchNorm folded into the convolutions; bias and ReLU fused into each convolution's output pass; the
 *       GEMMs' filters packed once for the micro-kernel ({@code PackedFilters});</li>
 *   <li>Inception's three 1×1 convolutions of its input stacked into one GEMM, every branch writing straight into
 *       its slice of the concatenation, branch 4's pool fused with its projection (so is the stem's maxpool1 with
 *       conv2), Winograd or GEMM for each 3×3 by {@code ConvAlgorithm}'s rule ({@link Fusions});</li>
 *   <li>a memory plan per input shape: activations and temporaries placed by liveness in a workspace of a few
 *       buffers ({@link MemoryPlan}), sized once per shape.</li>
 * </ul>
 * A plan is immutable and thread-safe: one plan serves any number of threads at once, each call on a workspace of
 * its own taken from a pool, with results bitwise those of a single thread. Later changes to the model (training)
 * do not reach a plan; compile again. Dropout and the auxiliary heads do not exist at inference.
 */
public final class InferencePlan {
    /** Distinct input shapes whose schedules (and idle workspaces) are kept; more are planned afresh. */
    private static final int MAX_SCHEDULES = 16;

    private final List<Step> steps;
    private final int featureStep; // the step whose output is the pooled features
    private final int inputChannels;
    private final int numClasses;
    private final Map<List<Integer>, Schedule> schedules = new ConcurrentHashMap<>();

    private InferencePlan(List<Step> steps, int featureStep, int inputChannels, int numClasses) {
        this.steps = List.copyOf(steps);
        this.featureStep = featureStep;
        this.inputChannels = inputChannels;
        this.numClasses = numClasses;
    }

    /** Compiles the model with every optimization. */
    public static InferencePlan compile(GoogLeNet model) {
        return compile(model, Fusions.ALL);
    }

    /** Compiles the model with the given optimizations (benchmarks and tests compare them). */
    public static InferencePlan compile(GoogLeNet model, Fusions fusions) {
        List<String> names = model.trunk().names();
        List<Layer> layers = model.trunk().layers();
        List<Step> steps = new ArrayList<>();
        int featureStep = -1;
        for (int i = 0; i < layers.size(); i++) {
            String name = names.get(i);
            Layer layer = layers.get(i);
            Layer next = i + 1 < layers.size() ? layers.get(i + 1) : null;
            switch (layer) {
                case ConvBlock block -> steps.add(new ConvStep(name, PlannedConv.of(block, fusions.packFilters()),
                        fusions.winograd()));
                case MaxPool2d pool when fusions.fusePool() && next instanceof ConvBlock conv
                        && conv.conv().isPointwise() -> {
                    steps.add(new PoolConvStep(names.get(i + 1), new MaxPoolStep(name, PoolWindow.of(pool)),
                            PlannedConv.of(conv, fusions.packFilters())));
                    i++;
                }
                case MaxPool2d pool -> steps.add(new MaxPoolStep(name, PoolWindow.of(pool)));
                case Lrn lrn -> steps.add(new LrnStep(name, lrn));
                case Inception inception -> steps.add(new InceptionStep(name, inception, fusions));
                case AdaptiveAvgPool2d pool when pool.outH() == 1 && pool.outW() == 1 -> {
                    steps.add(new GlobalAvgPoolStep(name, 0));
                    featureStep = steps.size() - 1;
                }
                case AvgPool2d pool when pool.padding() == 0 -> {
                    steps.add(new GlobalAvgPoolStep(name, pool.kernel()));
                    featureStep = steps.size() - 1;
                }
                case Flatten f -> { } // the plan's values are flat arrays already
                case Dropout d -> { } // the identity at inference
                case Linear fc -> steps.add(new LinearStep(name, fc));
                default -> throw new IllegalArgumentException("no inference plan for layer '" + name + "' ("
                        + layer.getClass().getSimpleName() + ")");
            }
        }
        if (featureStep < 0) {
            throw new IllegalArgumentException("the model has no global average pool before its classifier");
        }
        return new InferencePlan(steps, featureStep, model.config().inputChannels(), model.config().numClasses());
    }

    public int inputChannels() {
        return inputChannels;
    }

    public int numClasses() {
        return numClasses;
    }

    /** The stages the plan runs, in order (a fused pool and convolution is one stage, named by the convolution). */
    public List<String> stages() {
        return steps.stream().map(Step::name).toList();
    }

    /** Logits [N, classes] for preprocessed images [N, C, H, W]; the tensor is the caller's. Thread-safe. */
    public Tensor logits(Tensor input) {
        return logits(input, null);
    }

    /** {@link #logits(Tensor)}, reporting each operation's time to {@code listener} (may be null). */
    public Tensor logits(Tensor input, PlanListener listener) {
        return run(input, steps.size() - 1, listener);
    }

    /** The pooled features [N, C] the classifier reads (C = 1024 at width 1) for images [N, C, H, W]. */
    public Tensor features(Tensor input) {
        return run(input, featureStep, null);
    }

    /**
     * The activation [N, C, h, w] at a stage of {@link #stages()} (or the pooled {@code features} [N, C]), running
     * the plan only that far: where explanations start from (Grad-CAM's layer, occlusion's features). Thread-safe.
     */
    public Tensor activation(Tensor input, String stage) {
        if (stage.equals("features")) {
            return features(input);
        }
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).name().equals(stage)) {
                return run(input, i, null);
            }
        }
        throw new IllegalArgumentException("no stage '" + stage + "' in the inference plan; it has " + stages());
    }

    /** The workspace bytes one call on input of this shape uses (its memory plan), e.g. for capacity planning. */
    public long workspaceBytes(int... inputShape) {
        return schedule(inputShape).workspaceBytes();
    }

    private Tensor run(Tensor input, int last, PlanListener listener) {
        int[] shape = input.shape();
        if (shape.length != 4 || shape[1] != inputChannels) {
            throw new IllegalArgumentException("the model takes images [N," + inputChannels + ",H,W], got "
                    + Shape.toString(shape));
        }
        Schedule schedule = schedule(shape);
        Workspace ws = schedule.acquire();
        try {
            Parallel pool = Parallel.get();
            Gemm gemm = Kernels.gemm();
            float[] in = input.data();
            int[] inShape = shape;
            for (int i = 0; i <= last; i++) {
                float[] out = ws.output(i);
                steps.get(i).run(new Step.Frame(in, inShape, out, schedule.shapes[i], ws.temporaries(i), pool, gemm),
                        listener);
                in = out;
                inShape = schedule.shapes[i];
            }
            int[] result = last == featureStep ? new int[] {inShape[0], (int) (Shape.size(inShape) / inShape[0])}
                    : inShape;
            return Tensor.of(Arrays.copyOf(in, Math.toIntExact(Shape.size(result))), result);
        } finally {
            schedule.release(ws);
        }
    }

    private Schedule schedule(int[] shape) {
        List<Integer> key = Arrays.stream(shape).boxed().toList();
        Schedule s = schedules.get(key);
        if (s == null) {
            if (schedules.size() >= MAX_SCHEDULES) {
                schedules.clear(); // a server seeing many batch sizes: keep memory bounded
            }
            s = schedules.computeIfAbsent(key, k -> new Schedule(steps, shape, Parallel.get().threads()));
        }
        return s;
    }
}
