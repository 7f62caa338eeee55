package dev.googlenet.spark;

import dev.googlenet.data.Preprocess;
import dev.googlenet.infer.Models;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Outputs;
import dev.googlenet.model.Variant;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.train.GoogLeNetLoss;
import dev.googlenet.train.Sgd;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataParallelTrainerTest {
    private static final int SIDE = 16;
    private static final List<String> CLASSES = List.of("a", "b", "c");
    private static final Preprocess SMALL = new Preprocess(Preprocess.ChannelOrder.RGB, 1f / 255,
            new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f}, SIDE, SIDE);
    /** The paper's network (no BatchNorm), dropout 0 and no aux heads: a step is a function of weights and batch. */
    private static final GoogLeNetConfig PAPER = GoogLeNetConfig.builder().setVariant(Variant.PAPER)
            .optNumClasses(3).optSmallInput(true).optWidth(1 / 8f).optDropout(0f).optAuxHeads(false).optSeed(5)
            .build();
    private static final TrainSettings SETTINGS = new TrainSettings(8, 2, 0.05f, 0.9f, 1e-4f, true, 0f, 17);

    @TempDir
    static Path dir;
    static SparkSession spark;
    static JavaSparkContext sc;
    static JavaRDD<Sample> data;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("DataParallelTrainerTest");
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Random rnd = new Random(23);
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 24; i++) { // 12 per partition: 3 steps of 4 + 4 per epoch
            int label = i % 3;
            float[] px = new float[3 * SIDE * SIDE];
            for (int k = 0; k < px.length; k++) {
                px[k] = (float) rnd.nextGaussian() + (k / (SIDE * SIDE) == label ? 1f : 0f);
            }
            samples.add(new Sample(px, label));
        }
        data = sc.parallelize(samples, 2);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static float[] weights(GoogLeNet model) {
        return ModelState.flatten(ModelState.params(model), 1f);
    }

    @Test
    void twoPartitionsEqualSingleProcessTrainingOnTheSameGlobalBatch() throws IOException {
        DataParallelTrainer spark2 = new DataParallelTrainer(sc, PAPER, SETTINGS, null, CLASSES, SMALL);
        List<Double> losses = spark2.fit(data, false);

        // one process: the same global batches (partition 0's local batch, then partition 1's), one model
        List<List<Sample>> parts = data.glom().collect();
        GoogLeNet model = new GoogLeNet(PAPER);
        Sgd sgd = new Sgd(model.parameters(), SETTINGS.learningRate(), SETTINGS.momentum(), SETTINGS.weightDecay(),
                SETTINGS.nesterov());
        List<Double> expectedLosses = new ArrayList<>();
        for (int epoch = 1; epoch <= SETTINGS.epochs(); epoch++) {
            double sum = 0;
            for (int step = 0; step < 3; step++) {
                Tensor images = Tensor.zeros(8, 3, SIDE, SIDE);
                int[] labels = new int[8];
                int row = 0;
                for (int p = 0; p < 2; p++) {
                    Shard shard = Shard.of(parts.get(p));
                    for (int i : shard.batch(SETTINGS.seed(), epoch, p, step, 4)) {
                        System.arraycopy(shard.images()[i], 0, images.data(), row * 3 * SIDE * SIDE, 3 * SIDE * SIDE);
                        labels[row++] = shard.labels()[i];
                    }
                }
                sgd.zeroGrad();
                Outputs out = model.forwardTrain(images);
                GoogLeNetLoss.Result loss = GoogLeNetLoss.compute(out, labels, 0f);
                model.backward(loss.gradients(), false);
                sgd.step();
                sum += loss.total();
            }
            expectedLosses.add(sum / 3);
        }

        float[] expected = weights(model), actual = weights(spark2.model());
        double scale = 0, worst = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        // 6 steps of float32 sums taken in another order: differences at the level of float rounding
        assertTrue(worst <= 1e-5 * scale, "max |Δw| " + worst + " of max |w| " + scale);
        boolean moved = false;
        float[] initial = weights(new GoogLeNet(PAPER));
        for (int i = 0; i < initial.length && !moved; i++) {
            moved = Math.abs(initial[i] - actual[i]) > 1e-3 * scale;
        }
        assertTrue(moved, "training changed the weights");
        for (int e = 0; e < 2; e++) {
            assertEquals(expectedLosses.get(e), losses.get(e), 1e-5 * expectedLosses.get(e));
        }
        assertEquals(6, spark2.stepTimes().size());
        assertTrue(spark2.stepTimes().stream().allMatch(t -> t.compute() > 0 && t.ship() > 0));
    }

    @Test
    void resumeAfterACheckpointContinuesExactly() throws IOException {
        String straight = dir.resolve("straight").toUri().toString();
        DataParallelTrainer a = new DataParallelTrainer(sc, PAPER, SETTINGS, straight, CLASSES, SMALL);
        a.fit(data, false);

        String interrupted = dir.resolve("interrupted").toUri().toString();
        TrainSettings oneEpoch = new TrainSettings(8, 1, 0.05f, 0.9f, 1e-4f, true, 0f, 17);
        new DataParallelTrainer(sc, PAPER, oneEpoch, interrupted, CLASSES, SMALL).fit(data, false);
        assertTrue(Files.exists(dir.resolve("interrupted").resolve("weights-epoch001.safetensors")));
        assertTrue(Files.exists(dir.resolve("interrupted").resolve("optimizer-epoch001.safetensors")));
        List<String> log = new ArrayList<>();
        DataParallelTrainer b = new DataParallelTrainer(sc, PAPER, SETTINGS, interrupted, CLASSES, SMALL)
                .onProgress(log::add);
        List<Double> losses = b.fit(data, true);

        assertEquals("resumed after epoch 1", log.getFirst());
        assertEquals(1, losses.size()); // epoch 2 only
        assertArrayEquals(weights(a.model()), weights(b.model()));
        // the checkpoint is a model file: the trained weights, classes and preprocessing
        var loaded = Models.load(dir.resolve("interrupted").resolve("weights-epoch002.safetensors"));
        assertEquals(CLASSES, loaded.classNames());
        assertEquals(SMALL, loaded.preprocess());
        assertArrayEquals(weights(a.model()), weights(loaded.googLeNet().orElseThrow()));
    }

    @Test
    void resumingAnotherModelIsRefused() throws IOException {
        String folder = dir.resolve("other").toUri().toString();
        TrainSettings oneEpoch = new TrainSettings(8, 1, 0.05f, 0.9f, 0f, false, 0f, 1);
        new DataParallelTrainer(sc, PAPER, oneEpoch, folder, CLASSES, SMALL).fit(data, false);
        GoogLeNetConfig wider = GoogLeNetConfig.builder().setVariant(Variant.PAPER).optNumClasses(3)
                .optSmallInput(true).optWidth(1 / 4f).optDropout(0f).optAuxHeads(false).build();
        IOException e = assertThrows(IOException.class,
                () -> new DataParallelTrainer(sc, wider, SETTINGS, folder, CLASSES, SMALL).fit(data, true));
        assertTrue(e.getMessage().contains("weights-epoch001.safetensors: holds a model of another configuration"),
                e.getMessage());
    }

    @Test
    void aGlobalBatchThatDoesNotSplitIsOneClearError() throws IOException {
        TrainSettings odd = new TrainSettings(7, 1, 0.05f, 0f, 0f, false, 0f, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DataParallelTrainer(sc, PAPER, odd, null, CLASSES, SMALL).fit(data, false));
        assertEquals("the global batch 7 does not split evenly over 2 partitions", e.getMessage());
    }
}
