package dev.googlenet.data;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataLoaderTest {

    /** n gray 6×6 images whose pixels hold their index; reads can be slowed down at random. */
    static final class Synthetic implements Dataset {
        final int n;
        final boolean jitter;
        final AtomicInteger reading = new AtomicInteger();
        final AtomicInteger maxReading = new AtomicInteger();

        Synthetic(int n, boolean jitter) {
            this.n = n;
            this.jitter = jitter;
        }

        @Override
        public int size() {
            return n;
        }

        @Override
        public int label(int index) {
            return index % 3;
        }

        @Override
        public FloatImage image(int index) throws IOException {
            int now = reading.incrementAndGet();
            maxReading.accumulateAndGet(now, Math::max);
            try {
                if (jitter) {
                    Thread.sleep((index * 7919L) % 3);
                }
            } catch (InterruptedException e) {
                throw new IOException(e);
            } finally {
                reading.decrementAndGet();
            }
            float[] px = new float[36];
            for (int i = 0; i < px.length; i++) {
                px[i] = ((index * 37 + i) % 97) / 97f;
            }
            return new FloatImage(1, 6, 6, px);
        }

        @Override
        public List<String> classes() {
            return List.of("a", "b", "c");
        }
    }

    static final Transform AUGMENT = Transform.compose(List.of(new RandomCrop(6, 2), new HorizontalFlip(0.5),
            new PhotometricDistortion(0.4, 0.4, 0, 0), new Normalize(new float[] {0.5f}, new float[] {0.25f})));

    private static List<float[]> collect(DataLoader loader, int epoch, List<int[]> labels) {
        List<float[]> out = new ArrayList<>();
        try (DataLoader.Epoch e = loader.epoch(epoch)) {
            for (DataLoader.Batch b : e) {
                out.add(b.images().data());
                labels.add(b.labels());
            }
        }
        return out;
    }

    @Test
    void theSameSeedGivesTheSameBatchesWhateverTheThreads() {
        Synthetic data = new Synthetic(37, true);
        List<List<float[]>> runs = new ArrayList<>();
        List<List<int[]>> labelRuns = new ArrayList<>();
        for (int workers : new int[] {0, 1, 3}) {
            try (DataLoader loader = DataLoader.builder(data).batchSize(5).transform(AUGMENT).seed(11)
                    .workers(workers).prefetch(3).build()) {
                List<int[]> labels = new ArrayList<>();
                runs.add(collect(loader, 2, labels));
                labelRuns.add(labels);
            }
        }
        for (int r = 1; r < runs.size(); r++) {
            assertEquals(runs.get(0).size(), runs.get(r).size());
            for (int b = 0; b < runs.get(0).size(); b++) {
                assertArrayEquals(runs.get(0).get(b), runs.get(r).get(b), 0f);
                assertArrayEquals(labelRuns.get(0).get(b), labelRuns.get(r).get(b));
            }
        }
        assertEquals(8, runs.get(0).size()); // 37 examples in batches of 5, last one partial
    }

    @Test
    void epochsAreDifferentPermutationsAndEveryExampleAppearsOnce() {
        try (DataLoader loader = DataLoader.builder(new Synthetic(50, false)).batchSize(8).seed(3).build()) {
            int[] o0 = loader.order(0), o1 = loader.order(1);
            assertFalse(Arrays.equals(o0, o1));
            assertArrayEquals(o0, loader.order(0));
            Set<Integer> seen = new HashSet<>();
            try (DataLoader.Epoch e = loader.epoch(1)) {
                for (DataLoader.Batch b : e) {
                    for (int i : b.indices()) {
                        assertTrue(seen.add(i));
                    }
                }
            }
            assertEquals(50, seen.size());
        }
    }

    @Test
    void augmentationDependsOnSeedEpochAndExample() {
        Synthetic data = new Synthetic(4, false);
        try (DataLoader a = DataLoader.builder(data).batchSize(4).shuffle(false).transform(AUGMENT).seed(1).build();
             DataLoader b = DataLoader.builder(data).batchSize(4).shuffle(false).transform(AUGMENT).seed(2).build()) {
            float[] a0 = collect(a, 0, new ArrayList<>()).getFirst();
            float[] a1 = collect(a, 1, new ArrayList<>()).getFirst();
            float[] b0 = collect(b, 0, new ArrayList<>()).getFirst();
            assertFalse(Arrays.equals(a0, a1));
            assertFalse(Arrays.equals(a0, b0));
            assertArrayEquals(a0, collect(a, 0, new ArrayList<>()).getFirst(), 0f);
        }
    }

    @Test
    void prefetchIsBounded() throws Exception {
        Synthetic data = new Synthetic(64, false);
        AtomicInteger built = new AtomicInteger();
        Transform counting = (img, rnd) -> {
            built.incrementAndGet();
            return img;
        };
        try (DataLoader loader = DataLoader.builder(data).batchSize(4).transform(counting).workers(2).prefetch(3)
                .build()) {
            DataLoader.Epoch e = loader.epoch(0);
            e.next();
            Thread.sleep(200); // the workers would run ahead if nothing held them back
            // the batch delivered plus at most 3 prepared ahead
            assertTrue(built.get() <= 4 * 4, "built " + built.get());
            e.close();
        }
    }

    @Test
    void dropLastAndSplit() {
        Synthetic data = new Synthetic(23, false);
        try (DataLoader loader = DataLoader.builder(data).batchSize(5).dropLast(true).build()) {
            assertEquals(4, loader.batchesPerEpoch());
            assertEquals(20, loader.examplesPerEpoch());
        }
        Split s = Split.random(data, 0.25, 9);
        assertEquals(6, s.validation().size());
        assertEquals(17, s.train().size());
        Set<Integer> all = new HashSet<>();
        for (Dataset d : List.of(s.train(), s.validation())) {
            for (int i : ((SubsetDataset) d).indices()) {
                assertTrue(all.add(i));
            }
        }
        assertEquals(23, all.size());
        assertArrayEquals(((SubsetDataset) s.validation()).indices(),
                ((SubsetDataset) Split.random(data, 0.25, 9).validation()).indices());
    }
}
