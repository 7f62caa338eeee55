package dev.googlenet.plan;

import dev.googlenet.kernels.Epilogue;
import dev.googlenet.nn.Linear;

/** The classifier: logits [N, classes] = features [N, C] · Wᵀ + b (the features may arrive as [N, C, 1, 1]). */
final class LinearStep implements Step {
    private final String name;
    private final int in;
    private final int out;
    private final float[] weight;
    private final float[] bias;

    LinearStep(String name, Linear fc) {
        this.name = name;
        this.in = fc.inFeatures();
        this.out = fc.outFeatures();
        this.weight = fc.weight().value().data().clone();
        this.bias = fc.bias() == null ? null : fc.bias().value().data().clone();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int[] outputShape(int[] shape) {
        long features = 1;
        for (int i = 1; i < shape.length; i++) {
            features *= shape[i];
        }
        if (features != in) {
            throw new IllegalArgumentException(name + ": the classifier reads " + in + " features, the layer before it "
                    + "gives " + features + " (the input image has the wrong size for this model)");
        }
        return new int[] {shape[0], out};
    }

    @Override
    public void run(Frame f, PlanListener listener) {
        int n = f.inShape()[0];
        long t = Step.now(listener);
        f.gemm().sgemm(false, true, n, out, in, f.in(), 0, in, weight, 0, in, 0f, f.out(), 0, out);
        if (bias != null) {
            for (int i = 0; i < n; i++) {
                Epilogue.biasRelu(f.out(), i * out, out, 1, bias, 0, false); // one bias per output, rows of 1
            }
        }
        Step.report(listener, name, "linear", in + "→" + out, t, (long) n * in * out);
    }
}
