package dev.googlenet.spark;

import dev.googlenet.data.Preprocess;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.train.Sgd;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Synchronous data-parallel SGD on Spark. Each step's global batch is split evenly over the data's partitions; each
 * task computes the gradient of its part ({@link GradientTask}); {@code treeAggregate} sums the weighted gradients
 * on the way to the driver; the driver applies SGD to its model and broadcasts the new weights for the next step.
 *
 * <p>Why {@code treeAggregate} and not barrier mode's {@code allGather}: the optimizer runs on the driver, so only
 * the driver needs the sum, and a tree sums partial results on the executors so the driver receives a few
 * vectors instead of one per partition. {@code allGather} passes its messages as strings through the driver's
 * RPC endpoint and hands every task every other task's message (P × 26 MB per task for the full model); it also
 * needs all tasks scheduled at once (barrier stages do not run with dynamic allocation). The weights go out as a
 * broadcast, which Spark spreads between executors BitTorrent-style instead of from the driver alone.
 *
 * <p>BatchNorm: each task normalizes with its local batch's statistics (like PyTorch DDP without SyncBN), and
 * the running statistics the next step starts from are partition 0's (as DDP broadcasts rank 0's buffers).
 *
 * <p>With 2 partitions the result is deterministic: the driver adds the two gradients in either order, and
 * float addition commutes. With more, partial sums meet in the order tasks finish, so runs differ by float32
 * rounding.
 */
public final class DataParallelTrainer {
    private final JavaSparkContext sc;
    private final GoogLeNetConfig config;
    private final TrainSettings settings;
    private final HadoopCheckpoints checkpoints;
    private final List<String> classes;
    private final Preprocess preprocess;
    private final GoogLeNet model;
    private final Sgd sgd;
    private final List<StepTimes> times = new ArrayList<>();
    private Consumer<String> log = s -> { };

    /** {@code checkpointDir} null: no checkpoints; {@code preprocess} is written into them for Models.load. */
    public DataParallelTrainer(JavaSparkContext sc, GoogLeNetConfig config, TrainSettings settings,
                               String checkpointDir, List<String> classes, Preprocess preprocess) throws IOException {
        if (classes.size() != config.numClasses()) {
            throw new IllegalArgumentException(classes.size() + " class names for a model with "
                    + config.numClasses() + " classes");
        }
        this.sc = sc;
        this.config = config;
        this.settings = settings;
        this.checkpoints = checkpointDir == null ? null : new HadoopCheckpoints(checkpointDir,
                sc.hadoopConfiguration());
        this.classes = List.copyOf(classes);
        this.preprocess = preprocess;
        this.model = new GoogLeNet(config);
        this.sgd = new Sgd(model.parameters(), settings.learningRate(), settings.momentum(), settings.weightDecay(),
                settings.nesterov());
    }

    /** Where progress lines go (none by default). */
    public DataParallelTrainer onProgress(Consumer<String> log) {
        this.log = log;
        return this;
    }

    /** The driver's model: the trained weights after {@link #fit}. */
    public GoogLeNet model() {
        return model;
    }

    /** Every step's time split, in order. */
    public List<StepTimes> stepTimes() {
        return List.copyOf(times);
    }

    /**
     * Trains on {@code data} (its partitions are the workers) from the last checkpoint when {@code resume} and the
     * checkpoint folder has one, else from the model's initialization; returns the mean loss of each epoch run.
     */
    public List<Double> fit(JavaRDD<Sample> data, boolean resume) throws IOException {
        int partitions = data.getNumPartitions();
        if (settings.globalBatch() % partitions != 0) {
            throw new IllegalArgumentException("the global batch " + settings.globalBatch() + " does not split "
                    + "evenly over " + partitions + " partitions");
        }
        int localBatch = settings.globalBatch() / partitions;
        JavaRDD<Shard> shards = data.glom().map(Shard::of).persist(StorageLevel.MEMORY_ONLY());
        try {
            int smallest = shards.map(Shard::size).collect().stream().mapToInt(Integer::intValue).min().orElse(0);
            int steps = smallest / localBatch;
            if (steps == 0) {
                throw new IllegalArgumentException("a partition holds " + smallest + " samples, fewer than the local "
                        + "batch of " + localBatch + " (global batch " + settings.globalBatch() + " over "
                        + partitions + " partitions)");
            }
            int start = 1;
            if (resume && checkpoints != null && checkpoints.lastEpoch() > 0) {
                int last = checkpoints.lastEpoch();
                checkpoints.restore(last, model, sgd);
                start = last + 1;
                log.accept("resumed after epoch " + last);
            }
            List<Double> losses = new ArrayList<>();
            for (int epoch = start; epoch <= settings.epochs(); epoch++) {
                double loss = 0;
                for (int step = 0; step < steps; step++) {
                    loss += step(shards, epoch, step, localBatch);
                }
                losses.add(loss / steps);
                log.accept(String.format(java.util.Locale.ROOT, "epoch %d: loss %.4f (%d steps of %d over %d "
                        + "partitions)", epoch, loss / steps, steps, settings.globalBatch(), partitions));
                if (checkpoints != null) {
                    checkpoints.save(epoch, model, sgd, classes, preprocess);
                }
            }
            return losses;
        } finally {
            shards.unpersist(false);
        }
    }

    /** One synchronous step; returns the global batch's mean loss. */
    private double step(JavaRDD<Shard> shards, int epoch, int step, int localBatch) {
        long t0 = System.nanoTime();
        Broadcast<StepInput> input = sc.broadcast(new StepInput(ModelState.flatten(ModelState.params(model), 1f),
                ModelState.flatten(ModelState.buffers(model), 1f), epoch, step));
        long t1 = System.nanoTime();
        Partial sum = shards.mapPartitionsWithIndex(new GradientTask(input, config, settings, localBatch), true)
                .treeAggregate(null, Partial::merge, Partial::merge, 2);
        long t2 = System.nanoTime();
        ModelState.load(ModelState.gradients(model), sum.gradient());
        if (sum.buffers() != null) {
            ModelState.load(ModelState.buffers(model), sum.buffers());
        }
        sgd.step();
        input.destroy();
        long t3 = System.nanoTime();
        long ship = t1 - t0 + sum.fetchNanos();
        long job = t2 - t1;
        times.add(new StepTimes(ship, sum.computeNanos(), Math.max(0, job - sum.fetchNanos() - sum.computeNanos()),
                t3 - t2));
        return sum.lossSum() / sum.samples();
    }
}
