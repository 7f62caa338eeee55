package dev.googlenet.nn;

import dev.googlenet.kernels.Pooling;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

/**
 * 2-D max pooling over [N, C, H, W] with a square window, as PyTorch's {@code nn.MaxPool2d}. Padding counts as
 * -infinity, so it is simply skipped; in ceil mode the last window may hang past the end and then covers only the
 * elements that exist. Forward remembers where each maximum came from; backward sends each output gradient there.
 *
 * <p>Ties go to the first maximum in row-major window order and a NaN wins (the last one, if several), exactly
 * as in PyTorch's CPU kernel.
 * PyTorch also insists on {@code padding <= kernel / 2}; this layer accepts any {@code padding < kernel} (ONNX
 * allows it) and gives PyTorch's results wherever PyTorch accepts the arguments.
 */
public final class MaxPool2d implements Layer {
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean ceilMode;

    private Tensor input;
    private int[] outputShape;
    private int[] argmax; // per output element: flat index of the input element that won
    private boolean argmaxValid; // false after an inference forward: backward must find the maxima first
    private Tensor output;     // buffers reused between steps

    public MaxPool2d(int kernel, int stride, int padding, boolean ceilMode) {
        Nchw.requireWindow(kernel, stride, padding, "MaxPool2d");
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
    }

    /** No padding, floor mode. */
    public MaxPool2d(int kernel, int stride) {
        this(kernel, stride, 0, false);
    }

    @Override
    public int[] outputShape(int[] in) {
        Nchw.require(in, "MaxPool2d");
        try {
            return new int[] {in[0], in[1], Shape.pooledSize(in[2], kernel, stride, padding, ceilMode),
                    Shape.pooledSize(in[3], kernel, stride, padding, ceilMode)};
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("MaxPool2d: input " + Shape.toString(in) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        int[] outShape = outputShape(x.shape());
        output = Tensor.reuse(output, outShape);
        // training needs to know where each maximum came from; inference only the maxima (a faster kernel)
        if (training && (argmax == null || argmax.length != output.size())) {
            argmax = new int[output.size()];
        }
        Pooling.maxPool(x.data(), x.dim(0) * x.dim(1), x.dim(2), x.dim(3), kernel, stride, padding,
                outShape[2], outShape[3], output.data(), training ? argmax : null);
        input = x;
        outputShape = outShape;
        argmaxValid = training;
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Nchw.requireGrad(gradOut, outputShape, "MaxPool2d");
        if (!argmaxValid) { // the forward ran in inference mode: find the maxima now
            if (argmax == null || argmax.length != gradOut.size()) {
                argmax = new int[gradOut.size()];
            }
            Pooling.maxPoolReference(input.data(), 0, input.dim(0) * input.dim(1), input.dim(2), input.dim(3),
                    kernel, stride, padding, outputShape[2], outputShape[3], new float[gradOut.size()], argmax);
            argmaxValid = true;
        }
        // the stage before reads this gradient at once: one buffer serves every max pool of the thread
        Tensor gradInput = GradientScratch.take(GradientScratch.Kind.MAX_POOL, input.shape());
        // each output gradient goes to where its maximum came from (accumulated: overlapping windows can share one)
        Pooling.maxPoolBackward(gradOut.data(), argmax, input.dim(0) * input.dim(1), outputShape[2] * outputShape[3],
                input.dim(2) * input.dim(3), gradInput.data());
        return gradInput;
    }

    @Override
    public String toString() {
        return "MaxPool2d(kernel=" + kernel + ", stride=" + stride + ", padding=" + padding + ", ceil_mode="
                + ceilMode + ")";
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }

    public boolean ceilMode() {
        return ceilMode;
    }
}
