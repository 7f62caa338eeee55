package dev.googlenet.data;

import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TtaTest {

    @Test
    void softmaxAverageAveragesProbabilitiesNotLogits() {
        Tensor logits = Tensor.of(new float[] {0, 0, 0, 1000, 0, -1000}, 2, 3);
        float[] p = Tta.softmaxAverage(logits);
        // row 0 → 1/3 each; row 1 → (1, 0, 0) without overflow
        assertArrayEquals(new float[] {(1f / 3 + 1) / 2, (1f / 3) / 2, (1f / 3) / 2}, p, 1e-6f);
        double sum = 0;
        for (float v : p) {
            sum += v;
        }
        assertEquals(1.0, sum, 1e-6);
        float[] single = Tta.softmaxAverage(Tensor.of(new float[] {1, 2, 3}, 1, 3));
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertArrayEquals(new float[] {(float) (Math.exp(1) / z), (float) (Math.exp(2) / z), (float) (Math.exp(3) / z)},
                single, 1e-7f);
        assertThrows(IllegalArgumentException.class, () -> Tta.softmaxAverage(Tensor.zeros(3)));
    }

    @Test
    void cropCountsPerMode() {
        RgbImage img = ImageResizeTest.synthetic(400, 300);
        for (Tta.Mode mode : Tta.Mode.values()) {
            List<RgbImage> crops = Tta.crops(img, Preprocess.TORCHVISION, mode);
            assertEquals(mode.crops(), crops.size(), mode.name());
            for (RgbImage c : crops) {
                assertEquals(224, c.width());
                assertEquals(224, c.height());
            }
        }
        assertEquals(ImageTensors.evalCrop(img, Preprocess.TORCHVISION),
                Tta.crops(img, Preprocess.TORCHVISION, Tta.Mode.CENTER).getFirst());
        // the 10 crops' center is the evaluation crop
        assertEquals(ImageTensors.evalCrop(img, Preprocess.TORCHVISION),
                Tta.crops(img, Preprocess.TORCHVISION, Tta.Mode.TEN).get(4));
    }

    @Test
    void paperScalesFollowTheCropSize() {
        assertArrayEquals(new int[] {256, 288, 320, 352}, Tta.paperScales(Preprocess.TORCHVISION));
        Preprocess small = new Preprocess(Preprocess.ChannelOrder.RGB, 1f / 255, new float[] {0, 0, 0},
                new float[] {1, 1, 1}, 128, 112);
        assertArrayEquals(new int[] {128, 144, 160, 176}, Tta.paperScales(small));
    }
}
