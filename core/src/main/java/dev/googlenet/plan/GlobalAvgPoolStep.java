package dev.googlenet.plan;

/**
 * Average pooling to 1×1 before the classifier: torchvision's adaptive pool, and the paper's 7×7/1 average pool on
 * its 7×7 maps. Each plane's values are summed in row order in float, as PyTorch's CPU kernel does.
 */
final class GlobalAvgPoolStep implements Step {
    private final String name;
    private final int kernel; // the paper's fixed window (0: adaptive, any map size)

    /** {@code kernel}: the window of a fixed-size pool, which must then cover the whole map; 0 for adaptive. */
    GlobalAvgPoolStep(String name, int kernel) {
        this.name = name;
        this.kernel = kernel;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int[] outputShape(int[] in) {
        if (in.length != 4) {
            throw new IllegalArgumentException(name + ": expected an [N,C,H,W] input");
        }
        if (kernel > 0 && (in[2] != kernel || in[3] != kernel)) {
            throw new IllegalArgumentException(name + ": the " + kernel + "×" + kernel + " average pool needs "
                    + kernel + "×" + kernel + " maps here, got " + in[2] + "×" + in[3]
                    + " (the input image has the wrong size for this model)");
        }
        return new int[] {in[0], in[1], 1, 1};
    }

    @Override
    public void run(Frame f, PlanListener listener) {
        int[] in = f.inShape();
        int planes = in[0] * in[1], hw = in[2] * in[3];
        float[] x = f.in(), y = f.out();
        long t = Step.now(listener);
        for (int p = 0; p < planes; p++) {
            float sum = 0f;
            for (int i = p * hw, end = i + hw; i < end; i++) {
                sum += x[i];
            }
            y[p] = sum / hw;
        }
        Step.report(listener, name, "avg pool", in[1] + " " + in[2] + "×" + in[3], t, 0);
    }
}
