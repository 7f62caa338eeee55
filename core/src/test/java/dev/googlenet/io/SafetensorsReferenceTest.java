package dev.googlenet.io;

import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reference files written by the Python safetensors library. Expected values were read with Python. */
class SafetensorsReferenceTest {
    @Test
    void tvState() throws IOException {
        SafetensorsFile f = Safetensors.read(SharedData.file("reference/tv_state.safetensors"));

        assertEquals(305, f.names().size());
        assertEquals("conv1.conv.weight", f.names().getFirst());
        assertEquals("fc.bias", f.names().getLast());
        assertEquals("0.001", f.metadata().get("bn_eps"));
        assertEquals("1", f.metadata().get("seed"));

        Tensor w = f.tensor("conv1.conv.weight");
        assertArrayEquals(new int[] {64, 3, 7, 7}, w.shape());
        assertEquals(0.0013758925488218665f, w.data()[0]);
        assertEquals(0.008617404848337173f, w.data()[1]);
        assertEquals(0.003211493603885174f, w.data()[w.size() - 1]);
        assertEquals(-1.3104093415638545, sum(w), 1e-4);

        Tensor bias = f.tensor("fc.bias");
        assertArrayEquals(new int[] {1000}, bias.shape());
        assertEquals(0.19463831186294556f, bias.data()[0]);
        assertEquals(0.4639269709587097f, bias.data()[999]);
    }

    @Test
    void tvCases() throws IOException {
        SafetensorsFile f = Safetensors.read(SharedData.file("reference/tv_cases.safetensors"));

        assertEquals("I64", f.dtype("train.labels"));
        long[] labels = f.longs("train.labels");
        assertEquals(4, labels.length);
        for (long label : labels) {
            assertTrue(label >= 0 && label <= 999, "label " + label);
        }
        assertArrayEquals(new long[] {583, 883, 388, 173}, labels);

        assertArrayEquals(new int[] {2, 3, 224, 224}, f.shape("eval.input"));
        Tensor input = f.tensor("eval.input");
        assertEquals(-0.6722442507743835f, input.get(0, 0, 0, 0));
        assertEquals(0.8679147362709045f, input.get(1, 2, 223, 223));

        var e = assertThrows(SafetensorsException.class, () -> f.tensor("train.labels"));
        assertEquals("tv_cases.safetensors: tensor 'train.labels' has integer dtype I64; read it with longs()",
                e.getMessage());
    }

    private static double sum(Tensor t) {
        double s = 0;
        for (float v : t.data()) {
            s += v;
        }
        return s;
    }
}
