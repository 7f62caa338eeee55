package dev.googlenet.plan;

import dev.googlenet.kernels.Gemm;
import dev.googlenet.kernels.Parallel;

/**
 * One stage of an inference plan: reads its input value, writes its output value, and may use temporaries, all
 * arrays of the call's workspace ({@link Workspace}). Steps hold only immutable planned weights, so one step
 * serves every thread at once.
 */
interface Step {
    /** The model stage this step runs ({@code conv1}, {@code inception3a}, …). */
    String name();

    /** The output shape for an input shape, checking that the input fits. */
    int[] outputShape(int[] in);

    /** Sizes (in floats) of the temporaries one run on this input shape needs; none by default. */
    default long[] temporaries(int[] in, int threads) {
        return new long[0];
    }

    /** Runs the step. {@code listener} may be null. */
    void run(Frame f, PlanListener listener);

    /**
     * What one run of a step sees: the input and output arrays (larger than their shapes may need: workspace
     * buffers are sized for the largest value they ever hold), their shapes, the temporaries, the pool and GEMM.
     */
    record Frame(float[] in, int[] inShape, float[] out, int[] outShape, float[][] temps, Parallel pool, Gemm gemm) {
    }

    /** Reports an operation that started at {@code start} (System.nanoTime) to the listener, if any. */
    static void report(PlanListener listener, String stage, String op, String detail, long start, long macs) {
        if (listener != null) {
            listener.onOp(stage, op, detail, System.nanoTime() - start, macs);
        }
    }

    /** A clock reading when someone listens, 0 otherwise (no cost without a listener). */
    static long now(PlanListener listener) {
        return listener == null ? 0 : System.nanoTime();
    }

    /** "480→64 14×14": a convolution's shape for profiles. */
    static String convDetail(int in, String out, int h, int w) {
        return in + "→" + out + " " + h + "×" + w;
    }
}
