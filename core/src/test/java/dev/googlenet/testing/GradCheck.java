package dev.googlenet.testing;

import dev.googlenet.nn.Layer;
import dev.googlenet.nn.Param;
import dev.googlenet.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finite-difference check of a layer's backward pass. The scalar loss is {@code L = sum(forward(x) * r)} for a
 * fixed random {@code r}; its analytic gradients (from {@code backward(r)}) are compared with finite
 * differences, evaluated in double from float forwards, for the input and every parameter.
 * <p>
 * An element passes when the central difference matches, or — because ReLUs and max pools have kinks, and in a
 * composite layer some unit always sits within eps of one — when the forward or the backward one-sided
 * difference matches: a kink closer than eps lies on one side only, so the other side still sees the true
 * slope. A wrong gradient matches on no side.
 */
public final class GradCheck {
    private GradCheck() {
    }

    /**
     * The change of {@code f} from x to x + d against the integral of its analytic gradient along the segment,
     * ∫₀¹ ∇f(x + s·d)·d ds by the midpoint rule at {@code points} points: relative error. Unlike a finite difference
     * this holds across the kinks of ReLUs and max pools (f is continuous and piecewise smooth), so it can be tight.
     */
    public static double pathError(Tensor x, Tensor d, ToDoubleFunction<Tensor> f, Function<Tensor, Tensor> gradient,
                                   int points) {
        double integral = 0;
        for (int k = 0; k < points; k++) {
            Tensor g = gradient.apply(along(x, d, (k + 0.5) / points));
            for (int i = 0; i < d.size(); i++) {
                integral += (double) g.data()[i] * d.data()[i] / points;
            }
        }
        double change = f.applyAsDouble(along(x, d, 1)) - f.applyAsDouble(x);
        return Math.abs(change - integral) / Math.abs(change);
    }

    /** x + t·d, as a new tensor. */
    public static Tensor along(Tensor x, Tensor d, double t) {
        float[] v = new float[x.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (x.data()[i] + t * d.data()[i]);
        }
        return Tensor.of(v, x.shape());
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
     * Checks input and parameter gradients with step {@code eps}; fails when, for any checked element,
     * |analytic − numeric| > tol · max(1, |numeric|) on every side. At most {@code maxPerTensor} elements
     * (spread evenly) are checked per tensor to keep the test fast.
     */
    public static void check(Layer layer, Tensor x, boolean training, double eps, double tol, int maxPerTensor) {
        Random rnd = new Random(1234);
        Tensor y = layer.forward(x, training);
        Tensor r = random(rnd, y.shape());
        Map<String, Param> params = new LinkedHashMap<>();
        layer.visitState("", params::put);
        params.values().forEach(Param::zeroGrad);
        Tensor dx = layer.backward(r.copy()).copy();

        DoubleSupplier loss = () -> loss(layer, x, r, training);
        compare("input", x, dx.data(), loss, eps, tol, maxPerTensor);
        for (var e : params.entrySet()) {
            Param p = e.getValue();
            compare(e.getKey(), p.value(), p.grad().data().clone(), loss, eps, tol, maxPerTensor);
        }
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

    private static void compare(String what, Tensor tensor, float[] analytic, DoubleSupplier loss,
                                double eps, double tol, int maxCount) {
        float[] values = tensor.data();
        int step = Math.max(1, values.length / maxCount);
        double center = loss.getAsDouble();
        for (int i = 0; i < values.length; i += step) {
            float saved = values[i];
            values[i] = (float) (saved + eps);
            tensor.markChanged(); // layers may cache what they derive from parameters
            double plus = loss.getAsDouble();
            values[i] = (float) (saved - eps);
            tensor.markChanged();
            double minus = loss.getAsDouble();
            values[i] = saved;
            tensor.markChanged();
            double central = (plus - minus) / (2 * eps);
            double forward = (plus - center) / eps;
            double backward = (center - minus) / eps;
            double err = Math.min(error(analytic[i], central),
                    Math.min(error(analytic[i], forward), error(analytic[i], backward)));
            int at = i;
            assertTrue(err <= tol, () -> String.format("gradient of %s off at element %d: analytic %.6g, "
                    + "numeric %.6g (central), %.6g / %.6g (one-sided); relative error %.3g",
                    what, at, analytic[at], central, forward, backward, err));
        }
    }

    private static double error(double analytic, double numeric) {
        return Math.abs(analytic - numeric) / Math.max(1.0, Math.abs(numeric));
    }
}
