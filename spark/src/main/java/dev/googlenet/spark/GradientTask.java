package dev.googlenet.spark;

import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Outputs;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.train.Checkpoints;
import dev.googlenet.train.GoogLeNetLoss;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;

/**
 * One task of a data-parallel step: loads the step's weights into a model of this JVM, runs forward and backward on
 * its partition's local batch, and returns the gradient weighted by local/global batch size.
 *
 * <p>A model in training keeps per-call buffers, so concurrent tasks need their own: the JVM keeps a pool per
 * configuration, and a task takes one, overwrites all its state from the broadcast, and gives it back.
 */
final class GradientTask implements Function2<Integer, Iterator<Shard>, Iterator<Partial>> {
    private static final long serialVersionUID = 1L;
    private static final ConcurrentMap<GoogLeNetConfig, Queue<GoogLeNet>> POOL = new ConcurrentHashMap<>();

    private final Broadcast<StepInput> input;
    private final String configJson; // the configuration is a plain record, not Serializable: sent as its JSON
    private final TrainSettings settings;
    private final int localBatch;

    GradientTask(Broadcast<StepInput> input, GoogLeNetConfig config, TrainSettings settings, int localBatch) {
        this.input = input;
        this.configJson = Checkpoints.modelConfigToJson(config).toString();
        this.settings = settings;
        this.localBatch = localBatch;
    }

    @Override
    public Iterator<Partial> call(Integer partition, Iterator<Shard> shards) {
        Shard shard = shards.next();
        long start = System.nanoTime();
        StepInput in = input.value();
        GoogLeNetConfig config = config();
        GoogLeNet model = take(config);
        try {
            ModelState.load(ModelState.params(model), in.params());
            ModelState.load(ModelState.buffers(model), in.buffers());
            long fetched = System.nanoTime();
            int[] rows = shard.batch(settings.seed(), in.epoch(), partition, in.step(), localBatch);
            Tensor images = Tensor.zeros(batchShape(config, shard, rows.length));
            int[] labels = new int[rows.length];
            int per = shard.images()[0].length;
            for (int i = 0; i < rows.length; i++) {
                System.arraycopy(shard.images()[rows[i]], 0, images.data(), i * per, per);
                labels[i] = shard.labels()[rows[i]];
            }
            model.parameters().forEach(p -> p.zeroGrad());
            Outputs out = model.forwardTrain(images);
            GoogLeNetLoss.Result loss = GoogLeNetLoss.compute(out, labels, settings.auxWeight());
            model.backward(loss.gradients(), false);
            // the loss is the local batch's mean: weighted by its share, the partitions' sum is the global mean's
            float share = (float) rows.length / settings.globalBatch();
            float[] gradient = ModelState.flatten(ModelState.gradients(model), share);
            float[] buffers = partition == 0 ? ModelState.flatten(ModelState.buffers(model), 1f) : null;
            long done = System.nanoTime();
            return List.of(new Partial(gradient, (double) loss.total() * rows.length, rows.length, fetched - start,
                    done - fetched, buffers)).iterator();
        } finally {
            POOL.get(config).add(model);
        }
    }

    private static int[] batchShape(GoogLeNetConfig config, Shard shard, int n) {
        int per = shard.images()[0].length;
        int c = config.inputChannels();
        int side = (int) Math.round(Math.sqrt(per / (double) c));
        if (c * side * side != per) {
            throw new IllegalArgumentException("a sample of " + per + " values is not " + c + " square channels");
        }
        return new int[] {n, c, side, side};
    }

    private GoogLeNetConfig config() {
        try {
            return Checkpoints.modelConfigFromJson(new ObjectMapper().readTree(configJson));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static GoogLeNet take(GoogLeNetConfig config) {
        GoogLeNet model = POOL.computeIfAbsent(config, c -> new ConcurrentLinkedQueue<>()).poll();
        return model != null ? model : new GoogLeNet(config);
    }
}
