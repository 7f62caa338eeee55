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
}
