package dev.googlenet.onnx;

import dev.googlenet.tensor.Tensor;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The project's parity rule (max abs error ≤ 1e-3 × max |reference|), printing each measured error. */
final class Parity {
    private Parity() {
    }

    static double maxAbsError(Tensor ref, Tensor got) {
        assertArrayEquals(ref.shape(), got.shape(), "shape " + Arrays.toString(got.shape()));
        double err = 0;
        for (int i = 0; i < ref.size(); i++) {
            err = Math.max(err, Math.abs(ref.data()[i] - got.data()[i]));
        }
        return err;
    }

    static void assertClose(String what, Tensor ref, Tensor got) {
        double maxRef = 0;
        for (float v : ref.data()) {
            maxRef = Math.max(maxRef, Math.abs(v));
        }
        double err = maxAbsError(ref, got);
        System.out.printf("PARITY %-60s max abs error %.3e of max |ref| %.3e (relative %.2e)%n", what, err, maxRef,
                err / maxRef);
        double tol = 1e-3 * maxRef;
        assertTrue(err <= tol, () -> what + ": max abs error " + err + " > " + tol);
    }
}
