package dev.googlenet.data;

import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ImageTensorsTest {
    private static final RgbImage TWO_PIXELS = new RgbImage(2, 1, new byte[] {(byte) 255, 0, 10, 20, (byte) 128, 40});

    @Test
    void torchvisionIsRgbScaledAndNormalized() {
        Tensor t = ImageTensors.toTensor(TWO_PIXELS, Preprocess.TORCHVISION);
        assertArrayEquals(new int[] {1, 3, 1, 2}, t.shape());
        // ToTensor: v / 255, then (x − mean) / std per channel
        assertEquals((255 / 255f - 0.485f) / 0.229f, t.get(0, 0, 0, 0), 1e-6f);
        assertEquals((20 / 255f - 0.485f) / 0.229f, t.get(0, 0, 0, 1), 1e-6f);
        assertEquals((0 - 0.456f) / 0.224f, t.get(0, 1, 0, 0), 1e-6f);
        assertEquals((128 / 255f - 0.456f) / 0.224f, t.get(0, 1, 0, 1), 1e-6f);
        assertEquals((10 / 255f - 0.406f) / 0.225f, t.get(0, 2, 0, 0), 1e-6f);
        assertEquals((40 / 255f - 0.406f) / 0.225f, t.get(0, 2, 0, 1), 1e-6f);
    }

    @Test
    void caffeIsBgrInZeroTo255MinusMean() {
        Tensor t = ImageTensors.toTensor(TWO_PIXELS, Preprocess.CAFFE);
        // channel 0 is blue − 104, channel 1 green − 117, channel 2 red − 123
        assertArrayEquals(new float[] {10 - 104, 40 - 104, 0 - 117, 128 - 117, 255 - 123, 20 - 123}, t.data());
    }

    @Test
    void stackMakesABatch() {
        RgbImage a = ImageResizeTest.synthetic(5, 4);
        RgbImage b = a.flipHorizontal();
        Tensor batch = ImageTensors.stack(List.of(a, b), Preprocess.TORCHVISION);
        assertArrayEquals(new int[] {2, 3, 4, 5}, batch.shape());
        Tensor ta = ImageTensors.toTensor(a, Preprocess.TORCHVISION);
        Tensor tb = ImageTensors.toTensor(b, Preprocess.TORCHVISION);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 5; x++) {
                    assertEquals(ta.get(0, c, y, x), batch.get(0, c, y, x));
                    assertEquals(tb.get(0, c, y, x), batch.get(1, c, y, x));
                    assertEquals(batch.get(0, c, y, x), batch.get(1, c, y, 4 - x));
                }
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> ImageTensors.stack(List.of(a, ImageResizeTest.synthetic(4, 4)), Preprocess.TORCHVISION));
        assertThrows(IllegalArgumentException.class, () -> ImageTensors.stack(List.of(), Preprocess.TORCHVISION));
    }

    @Test
    void evalCropIsResizeThenCenterCrop() {
        RgbImage img = ImageResizeTest.synthetic(451, 300);
        RgbImage c = ImageTensors.evalCrop(img, Preprocess.TORCHVISION);
        assertEquals(224, c.width());
        assertEquals(224, c.height());
        // 384x256 after Resize(256); center box left 80, top 16
        assertEquals(ImageResize.resize(img, 384, 256).crop(80, 16, 224, 224), c);
    }
}
