package dev.googlenet.serve;

import dev.googlenet.tensor.Tensor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Dynamic batching for one model: requests queue single images; each worker takes the oldest waiting image and
 * gathers more until it has {@code batchSize} of them or the first one has waited {@code maxDelay}, then runs them
 * as one batch. The delay counts from the first image's arrival, so no image waits for a batch longer than the
 * delay (plus the batch that is running before it). Images arrive already preprocessed: decoding and resizing run
 * on the requests' own threads, in parallel, never on a worker.
 *
 * <p>A full queue refuses at once (503), a failing batch fails only its own requests, and {@link #close} lets the
 * workers finish everything already queued before they stop.
 */
final class Batcher implements AutoCloseable {

    /** Runs a batch [B, C, H, W] and returns its logits [B, classes]. */
    @FunctionalInterface
    interface Compute {
        Tensor logits(Tensor batch);
    }

    /** What the metrics see of each batch. */
    interface Listener {
        /** A batch of {@code size} images ran for {@code computeNanos}; each waited {@code queueNanos[i]} first. */
        void batch(int size, long[] queueNanos, long computeNanos);
    }

    /** One preprocessed image [C·H·W] waiting for its logits. */
    private record Job(float[] input, long enqueuedNanos, CompletableFuture<float[]> result) {
    }

    /** How often an idle worker looks whether it should stop. */
    private static final long IDLE_POLL_MILLIS = 50;

    private final String model;
    private final int[] imageShape;
    private final int imageSize;
    private final int batchSize;
    private final long maxDelayNanos;
    private final BlockingQueue<Job> queue;
    private final Compute compute;
    private final Listener listener;
    private final int[] runSizes;
    private final List<Thread> workers = new ArrayList<>();
    private boolean closing; // guarded by this: no job is queued after a worker may have seen the queue empty

    /** Starts {@code workers} threads for images of {@code imageShape} [C, H, W]. */
    Batcher(String model, int[] imageShape, int batchSize, Duration maxDelay, int queueSize, int workers,
            Compute compute, Listener listener) {
        this.model = model;
        this.imageShape = imageShape.clone();
        this.imageSize = imageShape[0] * imageShape[1] * imageShape[2];
        this.batchSize = batchSize;
        this.runSizes = runSizes(batchSize);
        this.maxDelayNanos = maxDelay.toNanos();
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.compute = compute;
        this.listener = listener;
        for (int i = 0; i < workers; i++) {
            Thread t = Thread.ofPlatform().name("googlenet-batch-" + model + "-" + i).daemon(true)
                    .unstarted(this::work);
            this.workers.add(t);
            t.start();
        }
    }

    /**
     * Queues one preprocessed image; the future completes with its logits. A full queue, or one that is shutting
     * down, is a 503 with Retry-After.
     */
    synchronized CompletableFuture<float[]> submit(float[] image) {
        if (image.length != imageSize) {
            throw new IllegalArgumentException("image of " + image.length + " values, expected " + imageSize);
        }
        if (closing) {
            throw new ApiException(503, "model '" + model + "' is shutting down", 1);
        }
        Job job = new Job(image, System.nanoTime(), new CompletableFuture<>());
        if (!queue.offer(job)) {
            throw new ApiException(503, "model '" + model + "' has " + queue.size()
                    + " images waiting, its queue is full; retry later", 1);
        }
        return job.result();
    }

    /** Images waiting now. */
    int waiting() {
        return queue.size();
    }

    /** Whether another image would be refused now (a cheap check before decoding a request). */
    boolean full() {
        return queue.remainingCapacity() == 0;
    }

    /** Refuses new images, lets the workers run every queued one, and waits for them to stop. */
    @Override
    public void close() {
        synchronized (this) {
            closing = true;
        }
        for (Thread t : workers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void work() {
        List<Job> batch = new ArrayList<>(batchSize);
        // this worker's input tensor for each run size: a batch of 8 224×224 images is 4.8 MB that every batch
        // would otherwise allocate anew (and the young generation would collect)
        Map<Integer, Tensor> inputs = new HashMap<>();
        while (true) {
            Job first;
            try {
                first = queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (first == null) {
                synchronized (this) {
                    if (closing && queue.isEmpty()) {
                        return;
                    }
                }
                continue;
            }
            batch.clear();
            batch.add(first);
            gather(batch, first.enqueuedNanos() + maxDelayNanos);
            run(batch, inputs);
        }
    }

    /** Adds waiting images until the batch is full or the deadline passes; those already queued always join. */
    private void gather(List<Job> batch, long deadline) {
        while (batch.size() < batchSize) {
            long wait = deadline - System.nanoTime();
            Job next;
            try {
                next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (next == null) {
                return;
            }
            batch.add(next);
        }
    }

    /**
     * The batch sizes a model is run at: the powers of two below the largest, and the largest. The plan keeps
     * buffers for every input shape it has seen, so running any size from 1 to the largest would keep as many sets
     * (their sum grows with the square of the largest); a gathered batch is run as chunks of these sizes instead.
     */
    static int[] runSizes(int batchSize) {
        List<Integer> sizes = new ArrayList<>();
        for (int s = 1; s < batchSize; s *= 2) {
            sizes.add(s);
        }
        sizes.add(batchSize);
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    /** How {@code n} images are run: the largest run size that fits, again and again (7 of 8 → 4, 2, 1). */
    static List<Integer> chunks(int n, int[] runSizes) {
        List<Integer> out = new ArrayList<>();
        for (int left = n; left > 0; ) {
            int best = 1;
            for (int s : runSizes) {
                if (s <= left) {
                    best = s;
                }
            }
            out.add(best);
            left -= best;
        }
        return out;
    }

    /** Runs one batch; whatever goes wrong fails its requests and leaves the worker running. */
    private void run(List<Job> jobs, Map<Integer, Tensor> inputs) {
        List<Job> live = new ArrayList<>(jobs.size());
        for (Job j : jobs) {
            if (!j.result().isDone()) { // a request that timed out has cancelled its job
                live.add(j);
            }
        }
        if (live.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        long[] queued = new long[live.size()];
        for (int i = 0; i < live.size(); i++) {
            queued[i] = start - live.get(i).enqueuedNanos();
        }
        try {
            int from = 0;
            for (int size : chunks(live.size(), runSizes)) {
                runChunk(live.subList(from, from + size), inputs.computeIfAbsent(size,
                        n -> Tensor.zeros(n, imageShape[0], imageShape[1], imageShape[2])));
                from += size;
            }
        } catch (Throwable t) { // an OutOfMemoryError in one batch must not stop the model for good
            for (Job j : live) {
                j.result().completeExceptionally(t); // no effect on the jobs already answered
            }
        } finally {
            listener.batch(live.size(), queued, System.nanoTime() - start);
        }
    }

    /** Runs {@code jobs} as one batch in {@code input} (overwritten; the model keeps no reference to it). */
    private void runChunk(List<Job> jobs, Tensor input) {
        for (int i = 0; i < jobs.size(); i++) {
            System.arraycopy(jobs.get(i).input(), 0, input.data(), i * imageSize, imageSize);
        }
        Tensor logits = compute.logits(input);
        int classes = logits.size() / jobs.size();
        for (int i = 0; i < jobs.size(); i++) {
            float[] row = new float[classes];
            System.arraycopy(logits.data(), i * classes, row, 0, classes);
            jobs.get(i).result().complete(row);
        }
    }
}
