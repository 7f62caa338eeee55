package dev.googlenet.kernels;

import dev.googlenet.nn.Conv2d;
import dev.googlenet.tensor.Tensor;

import java.util.Locale;
import java.util.Random;

/**
 * Manual accuracy report (not a test): on GoogLeNet's 3×3 shapes at batch 1, the float32 error of the im2col +
 * GEMM path, Winograd F(2×2) and F(4×4) against the direct convolution in double. Inputs are post-ReLU-like
 * (uniform [0, 1)), weights Kaiming-uniform (±√(6/fan_in)), biases small. Reported per path: max |y − ref| over
 * max |ref|, rms(y − ref) over rms(ref), and max |y − ref| / Σ|w||x| (the unit tests' measure).
 * <pre>
 * java --add-modules jdk.incubator.vector -cp core/target/classes:core/target/test-classes \
 *     dev.googlenet.kernels.WinogradAccuracy [filter]
 * </pre>
 */
public final class WinogradAccuracy {
    private WinogradAccuracy() {
    }

    public static void main(String[] args) {
        String filter = args.length > 0 ? args[0] : "";
        System.out.printf(Locale.ROOT, "%-14s | %-28s | %-28s | %-28s%n", "shape",
                "im2col max/rms/vsMag", "F2 max/rms/vsMag", "F4 max/rms/vsMag");
        double[][] worst = new double[3][3];
        for (WinogradThroughput.Shape s : WinogradThroughput.SHAPES) {
            if (!s.name().contains(filter)) {
                continue;
            }
            int cin = s.cin(), cout = s.cout(), h = s.hw(), w = s.hw();
            Random rnd = new Random(s.cin() * 1000L + s.cout());
            Tensor x = Tensor.zeros(1, cin, h, w);
            for (int i = 0; i < x.size(); i++) {
                x.data()[i] = rnd.nextFloat();
            }
            float[] wt = new float[cout * cin * 9];
            double bound = Math.sqrt(6.0 / (cin * 9));
            for (int i = 0; i < wt.length; i++) {
                wt[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
            }
            float[] bias = new float[cout];
            for (int i = 0; i < cout; i++) {
                bias[i] = (float) (rnd.nextGaussian() * 0.1);
            }
            float[] ref = new float[cout * h * w];
            Conv3x3Reference.forward(x.data(), 0, cin, h, w, wt, cout, bias, false, ref, 0, cout, 0);
            double[] mag = Conv3x3Reference.magnitude(x.data(), 0, cin, h, w, wt, cout, bias);

            Tensor y0 = Tensor.zeros(1, cout, h, w);
            new Conv2d(cin, cout, 3, 1, 1, false).forwardInto(x, wt, bias, false, y0, 0);
            float[] y2 = new float[cout * h * w];
            Winograd3x3.forward(x.data(), 0, cin, h, w, Winograd3x3.transformWeights(wt, 0, cout, cin, 2), bias,
                    false, y2, 0, cout, 0);
            float[] y4 = new float[cout * h * w];
            Winograd3x3.forward(x.data(), 0, cin, h, w, Winograd3x3.transformWeights(wt, 0, cout, cin, 4), bias,
                    false, y4, 0, cout, 0);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-14s", s.name()));
            float[][] ys = {y0.data(), y2, y4};
            for (int p = 0; p < 3; p++) {
                double[] e = errors(ys[p], ref, mag);
                for (int k = 0; k < 3; k++) {
                    worst[p][k] = Math.max(worst[p][k], e[k]);
                }
                line.append(String.format(Locale.ROOT, " | %8.2e %8.2e %8.2e  ", e[0], e[1], e[2]));
            }
            System.out.println(line);
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-14s", "worst"));
        for (int p = 0; p < 3; p++) {
            line.append(String.format(Locale.ROOT, " | %8.2e %8.2e %8.2e  ", worst[p][0], worst[p][1], worst[p][2]));
        }
        System.out.println(line);
    }

    /** {max|e|/max|ref|, rms(e)/rms(ref), max |e|/mag}. */
    static double[] errors(float[] y, float[] ref, double[] mag) {
        double maxE = 0, maxR = 0, sumE = 0, sumR = 0, vsMag = 0;
        for (int i = 0; i < ref.length; i++) {
            double e = Math.abs((double) y[i] - ref[i]);
            maxE = Math.max(maxE, e);
            maxR = Math.max(maxR, Math.abs(ref[i]));
            sumE += e * e;
            sumR += (double) ref[i] * ref[i];
            if (mag[i] > 0) {
                vsMag = Math.max(vsMag, e / mag[i]);
            }
        }
        return new double[] {maxE / maxR, Math.sqrt(sumE / sumR), vsMag};
    }
}
