package dev.googlenet.serve;

import dev.googlenet.infer.LoadedModel;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fixtures other tests lean on can tell their inputs apart. */
class FixturesTest {
    @Test
    void theSmallModelsLogitsDependOnTheImage() {
        LoadedModel tiny = Fixtures.smallModel(5);
        float[] a = tiny.logits(tiny.input(List.of(Fixtures.image(1)))).data();
        float[] b = tiny.logits(tiny.input(List.of(Fixtures.image(2)))).data();
        float largest = 0, apart = 0;
        for (int i = 0; i < a.length; i++) {
            largest = Math.max(largest, Math.abs(a[i]));
            apart = Math.max(apart, Math.abs(a[i] - b[i]));
        }
        // the tests compare logits within 1e-5 relative: two images must differ by far more than that
        assertTrue(apart > 1e-3f * largest, "two images' logits differ by " + apart + " of " + largest);
    }
}
