package dev.googlenet.serve;

import dev.googlenet.data.RgbImage;
import dev.googlenet.explain.Explainer;
import dev.googlenet.infer.ImageClassifier;
import dev.googlenet.infer.LoadedModel;
import dev.googlenet.kernels.Softmax;
import dev.googlenet.tensor.Tensor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One model as the server serves it: its name, the loaded model, its preprocessing, and the batcher its requests
 * go through. Grad-CAM runs the model's definition layer by layer (a backward pass needs it), which one thread at
 * a time may do, so explanations are serialized by a lock and never enter the batches.
 */
final class ServedModel implements AutoCloseable {
    /** Where Grad-CAM looks: the last Inception module, whose maps the classifier pools. */
    static final String GRAD_CAM_LAYER = "inception5b";

    private final String name;
    private final LoadedModel model;
    private final Batcher batcher;
    private final ImageClassifier top;
    private final Explainer explainer; // null when the definition is not there (a graph, or --no-explain)
    /**
     * Explanations running or waiting for the model's lock: at most {@code --queue-size}, as for the batches, so
     * Grad-CAM requests cannot pile up without bound either (one more is a 503).
     */
    private final Semaphore explanations;
    private final int maxExplanations;
    private final ImagePool images;

    /** {@code compute} runs a batch: the model's logits, or a test's wrapper around them. */
    ServedModel(String name, LoadedModel model, ServeConfig config, ServerMetrics metrics, Batcher.Compute compute) {
        this.name = name;
        this.model = model;
        this.top = model.classifier(1);
        this.explainer = model.googLeNet().isPresent() ? model.explainer() : null;
        this.maxExplanations = config.queueSize();
        this.explanations = new Semaphore(maxExplanations);
        this.batcher = new Batcher(name, imageShape(), config.batchSize(), config.maxBatchDelay(),
                config.queueSize(), config.workers(), compute, metrics.batches(name, config.batchSize()));
        metrics.queueDepth(name, batcher::waiting);
        int[] s = imageShape();
        // as many as can wait in the queue or run in the batches at once
        this.images = new ImagePool(s[0] * s[1] * s[2], config.queueSize() + config.batchSize() * config.workers());
    }

    String name() {
        return name;
    }

    LoadedModel model() {
        return model;
    }

    /** [C, H, W] of one preprocessed image. */
    int[] imageShape() {
        return new int[] {model.inputChannels(), model.inputSize(), model.inputSize()};
    }

    int numClasses() {
        return model.numClasses();
    }

    /**
     * Runs every batch size the batcher uses ({@link Batcher#runSizes}), and Grad-CAM when the model has it, again
     * and again for {@code duration} (at least once): the plan's buffers for each size exist, the first backward
     * pass has allocated the gradients, and the JIT has compiled the kernels — some run only a few times per batch,
     * and until C2 compiles them the Vector API boxes every vector. The server reports ready only after this.
     */
    void warmUp(int maxBatch, Duration duration) {
        int[] s = imageShape();
        long end = System.nanoTime() + duration.toNanos();
        do {
            for (int b : Batcher.runSizes(maxBatch)) {
                model.logits(Tensor.zeros(b, s[0], s[1], s[2]));
            }
            if (explainable()) {
                gradCam(new float[s[0] * s[1] * s[2]], 0);
            }
        } while (System.nanoTime() < end);
    }

    /**
     * An image as the model's input [C·H·W]: resized, center-cropped, normalized, in an array from the pool (hand
     * it back with {@link #recycle} once its logits are in and nothing reads it any more).
     */
    float[] preprocess(RgbImage image) {
        float[] out = images.take();
        model.input(image, out);
        return out;
    }

    /** An array for one preprocessed image, recycled from an earlier request when one is free. */
    float[] imageBuffer() {
        return images.take();
    }

    /**
     * Hands back images whose logits {@link #logits} has returned (the batch has copied them) and which the
     * caller no longer reads.
     */
    void recycle(List<float[]> done) {
        images.give(done);
    }

    /** Whether the queue is full now: a request can be refused before its image is decoded. */
    boolean queueFull() {
        return batcher.full();
    }

    /**
     * Logits of each preprocessed image, through the batcher; waits at most {@code timeout} for all of them
     * (then 504). A full queue is a 503.
     */
    List<float[]> logits(List<float[]> images, Duration timeout) {
        List<CompletableFuture<float[]>> futures = new ArrayList<>(images.size());
        try {
            for (float[] image : images) {
                futures.add(batcher.submit(image));
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            List<float[]> out = new ArrayList<>(images.size());
            for (CompletableFuture<float[]> f : futures) {
                out.add(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            }
            return out;
        } catch (TimeoutException e) {
            throw new ApiException(504, "model '" + name + "' did not answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new IllegalStateException("model '" + name + "' failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "request interrupted", 1);
        } finally {
            for (CompletableFuture<float[]> f : futures) {
                f.cancel(false); // those not done yet are skipped by the worker
            }
        }
    }

    /** Softmax of one row of logits. */
    static float[] probabilities(float[] logits) {
        float[] p = new float[logits.length];
        Softmax.rows(logits, p, 1, logits.length);
        return p;
    }

    /** The {@code k} most probable classes, most probable first. */
    List<ImageClassifier.Prediction> top(float[] probabilities, int k) {
        return top.top(probabilities, k);
    }

    /** Whether Grad-CAM is possible: only for a GoogLeNet whose definition was loaded. */
    boolean explainable() {
        return explainer != null;
    }

    /**
     * Grad-CAM of {@code classIndex} at {@link #GRAD_CAM_LAYER} for one preprocessed image, brought to the input's
     * size and scaled to [0, 1]: [H·W], row by row.
     */
    float[] gradCam(float[] image, int classIndex) {
        if (explainer == null) {
            throw ApiException.badRequest("model '" + name + "' is a graph that is not a GoogLeNet; Grad-CAM needs "
                    + "one");
        }
        if (!explanations.tryAcquire()) {
            throw new ApiException(503, "model '" + name + "' already has " + maxExplanations + " explanations "
                    + "running or waiting (--queue-size); retry later", 1);
        }
        try {
            int[] s = imageShape();
            // the plan runs to the layer; only the stages after it run forward and backward (the explainer locks
            // them)
            return explainer.gradCam(Tensor.of(image.clone(), 1, s[0], s[1], s[2]), new int[] {classIndex},
                    GRAD_CAM_LAYER).heatmap().data();
        } finally {
            explanations.release();
        }
    }

    /** Stops taking images and finishes those queued. */
    @Override
    public void close() {
        batcher.close();
    }
}
