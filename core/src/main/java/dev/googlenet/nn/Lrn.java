package dev.googlenet.nn;

import dev.googlenet.kernels.LrnKernels;
import dev.googlenet.tensor.Tensor;


/**
 * Local response normalization across channels (PyTorch {@code nn.LocalResponseNorm}, ONNX {@code LRN}, Caffe
 * {@code LRN} with ACROSS_CHANNELS):
 * <pre>
 *   scale_c = k + alpha/size * sum_{c' in window(c)} a_{c'}^2        b_c = a_c / scale_c^beta
 * </pre>
 * where window(c) runs from {@code c - floor((size-1)/2)} to {@code c + ceil((size-1)/2)}, clipped to the existing
 * channels (missing channels count as zero, the divisor stays {@code size}). For odd sizes (GoogLeNet: 5) all three
 * frameworks agree. For even sizes this is ONNX's window; PyTorch's is one channel earlier
 * ({@code c - size/2 .. c + size/2 - 1}) and Caffe rejects even sizes.
 *
 * <p>Backward, with {@code W^-1(j)} the channels whose window contains {@code j}:
 * <pre>
 *   da_j = g_j / scale_j^beta - (2 alpha beta / size) a_j * sum_{c in W^-1(j)} g_c b_c / scale_c
 * </pre>
 */
public final class Lrn implements Layer {
    private final int size;
    private final float alpha;
    private final float beta;
    private final float k;
    private final int before; // channels below c in the window
    private final int after;  // channels above c in the window
    private final LrnKernels.Params params;

    private Tensor input;
    private float[] scale; // k + alpha/size * window sum of squares, per input element
    private Tensor output;     // buffers reused between steps
    private Tensor gradInput;
    private float[] t;   // backward's scratch, reused

    public Lrn(int size, double alpha, double beta, double k) {
        if (size < 1) {
            throw new IllegalArgumentException("Lrn: size must be positive, got " + size);
        }
        this.size = size;
        this.alpha = (float) alpha;
        this.beta = (float) beta;
        this.k = (float) k;
        this.before = (size - 1) / 2;
        this.after = size / 2; // = ceil((size-1)/2)
        this.params = new LrnKernels.Params(size, before, after, this.alpha, this.beta, this.k);
    }

    /** The paper's / Caffe's setting: size 5, alpha 1e-4, beta 0.75, k 1. */
    public static Lrn googlenet() {
        return new Lrn(5, 1e-4, 0.75, 1.0);
    }

    @Override
    public int[] outputShape(int[] in) {
        Nchw.require(in, "Lrn");
        return in;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        outputShape(x.shape());
        int batch = x.dim(0), channels = x.dim(1), hw = x.dim(2) * x.dim(3);
        if (scale == null || scale.length != x.size()) {
            scale = new float[x.size()];
        }
        output = Tensor.reuse(output, x.shape());
        LrnKernels.forward(x.data(), scale, output.data(), batch, channels, hw, params); // picks vector or scalar
        input = x;
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Nchw.requireGrad(gradOut, input == null ? null : input.shape(), "Lrn");
        int batch = input.dim(0), channels = input.dim(1), hw = input.dim(2) * input.dim(3);
        gradInput = Tensor.reuse(gradInput, input.shape());
        if (t == null || t.length != input.size()) {
            t = new float[input.size()];
        }
        LrnKernels.backward(input.data(), scale, gradOut.data(), gradInput.data(), t, batch, channels, hw, params);
        return gradInput;
    }

    @Override
    public String toString() {
        return "Lrn(size=" + size + ", alpha=" + alpha + ", beta=" + beta + ", k=" + k + ")";
    }

    public int size() {
        return size;
    }

    public float alpha() {
        return alpha;
    }

    public float beta() {
        return beta;
    }

    public float k() {
        return k;
    }
}
