package dev.googlenet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The Vector API bodies of {@link LrnKernels} (loaded only when the vector kernels run). */
final class VectorLrn {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorLrn() {
    }

    /**
     * b = a / scale^β with scale = k + α/size·Σ_window a², for {@code batch} images of {@code channels} planes of
     * {@code hw} floats. {@code scale} receives the scales (backward needs them).
     */
    static void forward(float[] a, float[] scale, float[] b, int batch, int channels, int hw, LrnKernels.Params p) {
        int chunk = Math.max(1, Math.min(channels, (1 << 14) / Math.max(1, hw)));
        int chunks = (channels + chunk - 1) / chunk;
        Parallel.get().parallelFor(batch * chunks, t -> {
            int n = t / chunks, c0 = t % chunks * chunk, c1 = Math.min(channels, c0 + chunk);
            for (int c = c0; c < c1; c++) {
                forwardPlane(a, scale, b, n, c, channels, hw, p);
            }
        });
    }

    private static void forwardPlane(float[] a, float[] scale, float[] b, int n, int c, int channels, int hw,
                                     LrnKernels.Params p) {
        int out = (n * channels + c) * hw;
        int lo = Math.max(0, c - p.before()), hi = Math.min(channels - 1, c + p.after());
        float size = p.size(), alpha = p.alpha(), k = p.k();
        int i = 0;
        for (int bound = S.loopBound(hw); i < bound; i += S.length()) {
            FloatVector s = FloatVector.zero(S);
            for (int cc = lo; cc <= hi; cc++) {
                FloatVector v = FloatVector.fromArray(S, a, (n * channels + cc) * hw + i);
                s = s.add(v.mul(v)); // not fma: the reference rounds the square first
            }
            s = s.div(size).mul(alpha).add(k);
            s.intoArray(scale, out + i);
            FloatVector.fromArray(S, a, out + i).div(pow(s, p.beta())).intoArray(b, out + i);
        }
        for (; i < hw; i++) {
            float s = 0f;
            for (int cc = lo; cc <= hi; cc++) {
                float v = a[(n * channels + cc) * hw + i];
                s += v * v;
            }
            s = s / size * alpha + k;
            scale[out + i] = s;
            b[out + i] = a[out + i] / pow(s, p.beta());
        }
    }

    /**
     * da = g / scale^β − (2αβ/size)·a·Σ_{c: j ∈ window(c)} g_c·b_c/scale_c, with b recomputed from a and scale.
     * {@code t} is scratch of the same size as {@code a}.
     */
    static void backward(float[] a, float[] scale, float[] g, float[] da, float[] t, int batch, int channels,
                                int hw, LrnKernels.Params p) {
        int chunk = Math.max(1, Math.min(channels, (1 << 14) / Math.max(1, hw)));
        int chunks = (channels + chunk - 1) / chunk;
        float cross = 2f * p.alpha() * p.beta() / p.size();
        // pass 1: t = g·b/scale and the direct term, element by element
        Parallel.get().parallelFor(batch * chunks, task -> {
            int n = task / chunks, c0 = task % chunks * chunk, c1 = Math.min(channels, c0 + chunk);
            int from = (n * channels + c0) * hw, to = (n * channels + c1) * hw;
            int i = from;
            for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
                FloatVector s = FloatVector.fromArray(S, scale, i);
                FloatVector den = pow(s, p.beta());
                FloatVector gv = FloatVector.fromArray(S, g, i);
                gv.mul(FloatVector.fromArray(S, a, i).div(den)).div(s).intoArray(t, i);
                gv.div(den).intoArray(da, i);
            }
            for (; i < to; i++) {
                float den = pow(scale[i], p.beta());
                t[i] = g[i] * (a[i] / den) / scale[i];
                da[i] = g[i] / den;
            }
        });
        // pass 2: channel j is in window(c) exactly for c in [j − after, j + before]
        Parallel.get().parallelFor(batch * chunks, task -> {
            int n = task / chunks, c0 = task % chunks * chunk, c1 = Math.min(channels, c0 + chunk);
            FloatVector cv = FloatVector.broadcast(S, cross);
            for (int j = c0; j < c1; j++) {
                int lo = Math.max(0, j - p.after()), hi = Math.min(channels - 1, j + p.before());
                int at = (n * channels + j) * hw;
                int i = 0;
                for (int bound = S.loopBound(hw); i < bound; i += S.length()) {
                    FloatVector sum = FloatVector.zero(S);
                    for (int c = lo; c <= hi; c++) {
                        sum = sum.add(FloatVector.fromArray(S, t, (n * channels + c) * hw + i));
                    }
                    FloatVector d = FloatVector.fromArray(S, da, at + i);
                    d.sub(cv.mul(FloatVector.fromArray(S, a, at + i)).mul(sum)).intoArray(da, at + i);
                }
                for (; i < hw; i++) {
                    float sum = 0f;
                    for (int c = lo; c <= hi; c++) {
                        sum += t[(n * channels + c) * hw + i];
                    }
                    da[at + i] -= cross * a[at + i] * sum;
                }
            }
        });
    }

    private static FloatVector pow(FloatVector s, float beta) {
        if (beta == 0.75f) {
            FloatVector r = s.sqrt();
            return r.mul(r.sqrt());
        }
        return s.lanewise(VectorOperators.POW, beta);
    }

    private static float pow(float s, float beta) {
        if (beta == 0.75f) {
            float r = (float) Math.sqrt(s);
            return r * (float) Math.sqrt(r);
        }
        return (float) Math.pow(s, beta);
    }

}
