package dev.googlenet.nn;

import dev.googlenet.tensor.Tensor;

import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Inverted dropout, as PyTorch's {@code nn.Dropout}: in training each element is kept with probability
 * {@code 1 - p} and scaled by {@code 1 / (1 - p)}, otherwise zeroed; at inference (or when {@code p == 0}) it is the
 * identity and returns its input unchanged (the same tensor, no copy). {@code p == 1} zeroes everything.
 *
 * <p>The layer owns a generator seeded at construction, so the sequence of masks is the same on every run with the
 * same seed and the same calls. The masks themselves cannot match PyTorch's (different generator); only their
 * distribution and scaling do. Backward applies the last training forward's mask and scale.
 */
public final class Dropout implements Layer {
    private final double p;
    private final float scale;
    private RandomGenerator random;

    private boolean[] keep;   // mask of the last forward; null when it was the identity
    private boolean[] mask;   // its storage, reused between steps
    private int[] outputShape;
    private Tensor output;
    private Tensor gradInput;

    public Dropout(double p, long seed) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("Dropout: probability must be in [0, 1], got " + p);
        }
        this.p = p;
        // PyTorch multiplies by a float tensor holding 1/(1-p); p = 1 keeps nothing, so the scale is never used
        this.scale = p == 1 ? 0f : 1f / (float) (1 - p);
        this.random = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    public double p() {
        return p;
    }

    /**
     * Restarts the mask sequence as if the layer had been built with {@code seed}. A training loop reseeds at each
     * epoch, so that a run resumed from a checkpoint draws the same masks as one that never stopped.
     */
    public void reseed(long seed) {
        this.random = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        outputShape = x.shape();
        if (!training || p == 0) {
            keep = null;
            return x;
        }
        float[] in = x.data();
        if (mask == null || mask.length != in.length) {
            mask = new boolean[in.length];
        }
        output = Tensor.reuse(output, x.shape());
        Tensor y = output;
        float[] out = y.data();
        float keepProbability = (float) (1 - p);
        for (int i = 0; i < in.length; i++) {
            mask[i] = random.nextFloat() < keepProbability;
            out[i] = mask[i] ? in[i] * scale : 0f;
        }
        keep = mask;
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Nchw.requireGrad(gradOut, outputShape, "Dropout");
        if (keep == null) {
            return gradOut; // the forward was the identity
        }
        float[] g = gradOut.data();
        gradInput = Tensor.reuse(gradInput, gradOut.shape());
        Tensor dx = gradInput;
        float[] d = dx.data();
        for (int i = 0; i < g.length; i++) {
            d[i] = keep[i] ? g[i] * scale : 0f;
        }
        return dx;
    }

    @Override
    public String toString() {
        return "Dropout(p=" + p + ")";
    }
}
