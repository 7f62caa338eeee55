package dev.googlenet.data;

import dev.googlenet.io.Safetensors;
import dev.googlenet.io.SafetensorsFile;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.SharedData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole evaluation pipeline (decode → RGB → Resize(256) → CenterCrop(224) → ToTensor → Normalize) against
 * {@code preprocess_cases.safetensors}, made by torchvision 0.14 + Pillow.
 */
class ImageReferenceTest {
    private static SafetensorsFile reference() throws IOException {
        return Safetensors.read(SharedData.file("reference/preprocess_cases.safetensors"));
    }

    private static Tensor ours(String name, long[] expectedSize) throws IOException {
        Path file = SharedData.file("images/" + name);
        RgbImage img = ImageDecoder.decode(file);
        assertArrayEquals(expectedSize, new long[] {img.height(), img.width()}, name + " decoded [height, width]");
        Tensor t = ImageTensors.toTensor(ImageTensors.evalCrop(img, Preprocess.TORCHVISION), Preprocess.TORCHVISION);
        assertArrayEquals(new int[] {1, 3, 224, 224}, t.shape());
        assertArrayEquals(t.data(), ImageTensors.load(file, Preprocess.TORCHVISION).data(), "load() = the steps");
        return t;
    }

    @ParameterizedTest
    @ValueSource(strings = {"chelsea.png", "coffee.png", "camera.png", "foo3x5x4indexed.png"})
    void pngMatchesTorchvisionWithinTwoHundredths(String name) throws IOException {
        SafetensorsFile ref = reference();
        float[] expected = ref.tensor(name).data();
        float[] actual = ours(name, ref.longs(name + ".size")).data();
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(actual[i] - expected[i]));
        }
        System.out.printf(Locale.ROOT, "preprocess %-20s max abs error %.3g%n", name, max);
        assertTrue(max <= 0.02, name + ": max abs error " + max + " > 0.02");
    }

    /** The shared PNGs the reference leaves out (no expected tensor) decode to Pillow's pixels. */
    @Test
    void otherSharedPngsDecode() throws IOException {
        RgbImage astronaut = ImageDecoder.decode(SharedData.file("images/astronaut.png"));
        assertArrayEquals(new int[] {512, 512}, new int[] {astronaut.width(), astronaut.height()});
        RgbImage motorcycle = ImageDecoder.decode(SharedData.file("images/motorcycle_left.png"));
        assertArrayEquals(new int[] {741, 500}, new int[] {motorcycle.width(), motorcycle.height()});
        // corner pixels as Pillow 9.4 reads them
        ImageDecoderTest.assertRgb(astronaut, 0, 0, 154, 147, 151);
        ImageDecoderTest.assertRgb(astronaut, 511, 511, 0, 0, 0);
        ImageDecoderTest.assertRgb(motorcycle, 0, 0, 127, 79, 53);
        ImageDecoderTest.assertRgb(motorcycle, 740, 499, 164, 142, 134);
        Tensor t = ImageTensors.toTensor(ImageTensors.evalCrop(motorcycle, Preprocess.CAFFE), Preprocess.CAFFE);
        assertArrayEquals(new int[] {1, 3, 224, 224}, t.shape());
    }

    @Test
    void jpegMatchesTorchvisionOnAverage() throws IOException {
        String name = "rocket.jpg";
        SafetensorsFile ref = reference();
        float[] expected = ref.tensor(name).data();
        float[] actual = ours(name, ref.longs(name + ".size")).data();
        double sum = 0;
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(actual[i] - expected[i]);
            sum += d;
            max = Math.max(max, d);
        }
        double mean = sum / expected.length;
        System.out.printf(Locale.ROOT, "preprocess %-20s mean abs error %.3g (max %.3g)%n", name, mean, max);
        assertTrue(mean <= 0.02, name + ": mean abs error " + mean + " > 0.02");
    }
}
