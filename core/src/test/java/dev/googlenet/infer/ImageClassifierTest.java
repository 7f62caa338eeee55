package dev.googlenet.infer;

import dev.googlenet.data.Preprocess;
import dev.googlenet.data.RgbImage;
import dev.googlenet.data.Tta;
import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ImageClassifierTest {
    /** A stand-in model: logit c = mean of channel (c mod 3) times (c + 1). */
    private static Tensor fakeLogits(Tensor batch) {
        int n = batch.dim(0), hw = batch.dim(2) * batch.dim(3);
        Tensor out = Tensor.zeros(n, 5);
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 5; c++) {
                double s = 0;
                for (int j = 0; j < hw; j++) {
                    s += batch.data()[(i * 3 + c % 3) * hw + j];
                }
                out.data()[i * 5 + c] = (float) (s / hw * (c + 1));
            }
        }
        return out;
    }

    private static RgbImage image(Random rnd, int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        rnd.nextBytes(rgb);
        return new RgbImage(w, h, rgb);
    }

    @Test
    void batchingDoesNotChangeResultsAndCropsAreAveraged() {
        Preprocess p = new Preprocess(Preprocess.ChannelOrder.RGB, 1f / 255, new float[] {0.5f, 0.5f, 0.5f},
                new float[] {0.25f, 0.25f, 0.25f}, 40, 32);
        Random rnd = new Random(3);
        List<RgbImage> images = List.of(image(rnd, 50, 40), image(rnd, 41, 60), image(rnd, 40, 40));
        AtomicInteger calls = new AtomicInteger();
        ImageClassifier.Model counting = b -> {
            calls.incrementAndGet();
            return fakeLogits(b);
        };
        List<float[]> one = new ImageClassifier(ImageClassifierTest::fakeLogits, p, List.of(), 1)
                .probabilities(images, Tta.Mode.TEN);
        List<float[]> many = new ImageClassifier(counting, p, List.of(), 7).probabilities(images, Tta.Mode.TEN);
        assertEquals(5, calls.get()); // 3 images × 10 crops in batches of 7
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(one.get(i), many.get(i), 1e-6f);
            float sum = 0;
            for (float v : many.get(i)) {
                sum += v;
            }
            assertEquals(1f, sum, 1e-5f);
        }
    }

    @Test
    void topKIsOrderedWithLabels() {
        ImageClassifier c = new ImageClassifier(b -> null, Preprocess.TORCHVISION, List.of("a", "b", "c", "d"), 4);
        var top = c.top(new float[] {0.1f, 0.4f, 0.2f, 0.3f}, 3);
        assertEquals(List.of(1, 3, 2), top.stream().map(ImageClassifier.Prediction::index).toList());
        assertEquals("b", top.getFirst().label());
    }

    @Test
    void ships1000ImagenetClassNames() {
        List<String> labels = ImageClassifier.imagenetLabels();
        assertEquals(1000, labels.size());
        assertEquals("tench", labels.getFirst());
        assertEquals("toilet tissue", labels.getLast());
    }
}
