package dev.googlenet.testing;

import dev.googlenet.nn.Layer;
import dev.googlenet.nn.Param;
import dev.googlenet.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finite-difference check of a layer's backward pass. The scalar loss is {@code L = sum(forward(x) * r)} for a
 * fixed random {@code r}; its analytic gradients (from {@code backward(r)}) are compared with central
 * differences, evaluated in double from float forwards, for the input and every parameter.
 */
public final class GradCheck {
    private GradCheck() {
    }

    /** Random values in [-1, 1) from a seeded generator. */
    public static Tensor random(Random rnd, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = rnd.nextFloat() * 2f - 1f;
        }
        return t;
    }

    /**
     * Checks input and parameter gradients with step {@code eps}; fails when
     * |analytic - numeric| > tol * max(1, |numeric|) for any checked element. At most {@code maxPerTensor}
     * elements (spread evenly) are checked per tensor to keep the test fast.
     */
    public static void check(Layer layer, Tensor x, boolean training, double eps, double tol, int maxPerTensor) {
        Random rnd = new Random(1234);
        Tensor y = layer.forward(x, training);
        Tensor r = random(rnd, y.shape());
        List<Param> params = params(layer);
        params.forEach(Param::zeroGrad);
        Tensor dx = layer.backward(r.copy());

        compare("input", x.data(), dx.data(), () -> loss(layer, x, r, training), eps, tol, maxPerTensor);
        for (Param p : params) {
            float[] analytic = p.grad().data().clone();
            compare(p.name(), p.value().data(), analytic, () -> loss(layer, x, r, training), eps, tol, maxPerTensor);
        }
    }

    public static List<Param> params(Layer layer) {
        List<Param> out = new ArrayList<>();
        layer.visitState("", (name, p) -> out.add(p));
        return out;
    }

    private static double loss(Layer layer, Tensor x, Tensor r, boolean training) {
        float[] y = layer.forward(x, training).data();
        float[] w = r.data();
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += (double) y[i] * w[i];
        }
        return s;
    }

    private static void compare(String what, float[] values, float[] analytic,
                                java.util.function.DoubleSupplier lossFn, double eps, double tol, int maxCount) {
        int step = Math.max(1, values.length / maxCount);
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < values.length; i += step) {
            float saved = values[i];
            values[i] = (float) (saved + eps);
            double plus = lossFn.getAsDouble();
            values[i] = (float) (saved - eps);
            double minus = lossFn.getAsDouble();
            values[i] = saved;
            double numeric = (plus - minus) / (2 * eps);
            double err = Math.abs(analytic[i] - numeric) / Math.max(1.0, Math.abs(numeric));
            if (err > worst) {
                worst = err;
                worstAt = i;
            }
        }
        double w = worst;
        int at = worstAt;
        assertTrue(w <= tol, () -> "gradient of " + what + " off at element " + at + ": relative error " + w);
    }
}
