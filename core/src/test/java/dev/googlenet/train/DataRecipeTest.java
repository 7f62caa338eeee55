package dev.googlenet.train;

import dev.googlenet.data.FloatImage;
import dev.googlenet.testing.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataRecipeTest {

    /**
     * Random erasing runs after normalization: the erased pixels are exactly 0 (the mean), a value no normalized
     * Fashion-MNIST pixel takes otherwise (its black background normalizes to −0.81); about half the draws erase.
     */
    @Test
    void erasingComesAfterNormalization() throws IOException {
        DataRecipe recipe = new DataRecipe("fashion-mnist", SharedData.root().resolve("datasets/fashion-mnist"), 0,
                0, 0, List.of("flip", "erase"), 0, 0);
        DataRecipe.Prepared data = recipe.prepare(null);
        FloatImage image = data.train().image(0);
        int erased = 0;
        for (int seed = 0; seed < 200; seed++) {
            FloatImage out = data.trainTransform().apply(image, new SplittableRandom(seed));
            int zeros = 0;
            for (float v : out.data()) {
                zeros += v == 0f ? 1 : 0;
            }
            erased += zeros > 0 ? 1 : 0;
            assertTrue(zeros == 0 || zeros >= 8, "an erased rectangle has at least 2% of 784 pixels: " + zeros);
        }
        assertTrue(erased > 70 && erased < 130, erased + " of 200");
        FloatImage plain = data.evalTransform().apply(image, new SplittableRandom(0));
        assertEquals(-0.8102f, plain.data()[0], 1e-3f, "background pixel, normalized");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DataRecipe("mnist", null,
                0, 0, 0, List.of("cutout"), 0, 0));
        assertTrue(e.getMessage().contains("erase"), e.getMessage());
    }

    @Test
    void aLimitAlsoLimitsValidationToTheSameShare() throws IOException {
        DataRecipe recipe = new DataRecipe("fashion-mnist", SharedData.root().resolve("datasets/fashion-mnist"), 0.1,
                900, 0, List.of(), 0, 3);
        DataRecipe.Prepared data = recipe.prepare(null);
        assertEquals(900, data.train().size());
        assertEquals(100, data.validation().size());
    }

    /** Fine-tuning from a Caffe-style model: its size, BGR order and 0–255 mean/std drive the folder's pipeline. */
    @Test
    void aSourceModelsPreprocessingBuildsTheFoldersPipeline(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws IOException {
        for (String c : List.of("a", "b")) {
            java.nio.file.Files.createDirectories(dir.resolve(c));
            java.nio.file.Files.writeString(dir.resolve(c).resolve("1.png"), "x");
        }
        // every pixel R 0.2, G 0.4, B 0.6 (in [0,1]), 40×30
        dev.googlenet.data.ImageFileDecoder fake = f -> {
            float[] px = new float[3 * 30 * 40];
            for (int c = 0; c < 3; c++) {
                java.util.Arrays.fill(px, c * 1200, (c + 1) * 1200, 0.2f * (c + 1));
            }
            return new FloatImage(3, 30, 40, px);
        };
        dev.googlenet.data.Preprocess caffe = new dev.googlenet.data.Preprocess(
                dev.googlenet.data.Preprocess.ChannelOrder.BGR, 1f, new float[] {104, 117, 123},
                new float[] {1, 1, 1}, 20, 16);
        DataRecipe.Prepared data = new DataRecipe(dir.toString(), null, 0, 0, 0, List.of(), 0, 0).prepare(fake, caffe);
        assertEquals(caffe, data.preprocess());
        assertEquals(16, data.size());
        FloatImage x = data.evalTransform().apply(data.train().image(0), new SplittableRandom(0));
        assertEquals(3, x.channels());
        assertEquals(16, x.height());
        // channel 0 is blue now: 255·0.6 − 104; then green, then red
        assertEquals(255 * 0.6f - 104, x.get(0, 5, 5), 1e-3f);
        assertEquals(255 * 0.4f - 117, x.get(1, 5, 5), 1e-3f);
        assertEquals(255 * 0.2f - 123, x.get(2, 5, 5), 1e-3f);
    }
}
