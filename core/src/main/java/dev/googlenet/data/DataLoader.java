package dev.googlenet.data;

import dev.googlenet.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batches of a {@link Dataset}, read and augmented on background threads while the model computes.
 *
 * <p><b>Determinism.</b> Everything random is a function of the loader's seed: the order of epoch {@code e} is a
 * permutation drawn from {@code (seed, e)}, and example {@code i}'s augmentation in epoch {@code e} draws from a
 * generator seeded with {@code (seed, e, i)}. Batches are delivered in order, so thread timing never changes what
 * the model sees, and epoch {@code e} can be replayed on its own (what resuming a training run needs).
 *
 * <p><b>Prefetch.</b> Up to {@code prefetch} batches are being prepared or waiting at any time (a bounded queue
 * of futures); each is built by one of {@code workers} threads. With {@code workers = 0} batches are built on the
 * caller's thread. {@link Epoch#waitNanos()} tells how long the consumer waited for data.
 */
public final class DataLoader implements AutoCloseable {
    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final Transform transform;
    private final long seed;
    private final int workers;
    private final int prefetch;
    private ExecutorService executor;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.transform = b.transform;
        this.seed = b.seed;
        this.workers = b.workers;
        this.prefetch = b.prefetch;
    }

    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    /** One batch: images {@code [N, C, H, W]}, their labels and their dataset indices. */
    public record Batch(Tensor images, int[] labels, int[] indices, int epoch, int number) {
        public int size() {
            return labels.length;
        }
    }

    public Dataset dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    public long seed() {
        return seed;
    }

    public int batchesPerEpoch() {
        int n = dataset.size();
        return dropLast ? n / batchSize : Math.ceilDiv(n, batchSize);
    }

    /** Examples per epoch (fewer than the dataset's when the last partial batch is dropped). */
    public int examplesPerEpoch() {
        return dropLast ? batchesPerEpoch() * batchSize : dataset.size();
    }

    /** The dataset indices in the order epoch {@code epoch} visits them. */
    public int[] order(int epoch) {
        int n = dataset.size();
        if (!shuffle) {
            int[] p = new int[n];
            Arrays.setAll(p, i -> i);
            return p;
        }
        return Split.permutation(n, new SplittableRandom(mix(seed, epoch, -1)));
    }

    /** The seed of example {@code index}'s augmentation in epoch {@code epoch}. */
    public static long exampleSeed(long seed, int epoch, int index) {
        return mix(seed, epoch, index);
    }

    private static long mix(long seed, long epoch, long index) {
        long h = mix64(seed + 0x9E3779B97F4A7C15L);
        h = mix64(h ^ (epoch + 1) * 0xC2B2AE3D27D4EB4FL);
        return mix64(h ^ (index + 2) * 0x165667B19E3779F9L);
    }

    private static long mix64(long z) { // Stafford's variant 13 of MurmurHash3's finalizer
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Builds batch {@code number} of epoch {@code epoch} on the calling thread. */
    public Batch load(int epoch, int number, int[] order) throws IOException {
        int start = number * batchSize, end = Math.min(order.length, start + batchSize);
        int n = end - start;
        int[] indices = Arrays.copyOfRange(order, start, end);
        int[] labels = new int[n];
        float[] data = null;
        int c = 0, h = 0, w = 0;
        for (int k = 0; k < n; k++) {
            int index = indices[k];
            FloatImage img = dataset.image(index);
            img = transform.apply(img, new SplittableRandom(exampleSeed(seed, epoch, index)));
            if (data == null) {
                c = img.channels();
                h = img.height();
                w = img.width();
                data = new float[n * c * h * w];
            } else if (img.channels() != c || img.height() != h || img.width() != w) {
                throw new IllegalArgumentException("example " + index + " of " + dataset.describe() + " is "
                        + img.shapeString() + " after the transforms, the batch's first is " + c + "×" + h + "×" + w
                        + ": add a crop or resize so that every example has one size");
            }
            System.arraycopy(img.data(), 0, data, k * c * h * w, c * h * w);
            labels[k] = dataset.label(index);
        }
        return new Batch(Tensor.of(data, n, c, h, w), labels, indices, epoch, number);
    }

    /** The batches of epoch {@code epoch}; close it to stop its background work early. */
    public Epoch epoch(int epoch) {
        return new Epoch(epoch);
    }

    private synchronized ExecutorService executor() {
        if (executor == null) {
            AtomicInteger count = new AtomicInteger();
            executor = Executors.newFixedThreadPool(workers, r -> {
                Thread t = new Thread(r, "googlenet-data-" + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return executor;
    }

    @Override
    public synchronized void close() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    /** One pass over the data, in order. Errors reading an example surface from {@link #next()}. */
    public final class Epoch implements Iterator<Batch>, Iterable<Batch>, AutoCloseable {
        private final int epoch;
        private final int[] order;
        private final int batches = batchesPerEpoch();
        private final ArrayDeque<Future<Batch>> inFlight = new ArrayDeque<>();
        private int submitted;
        private int delivered;
        private long waitNanos;

        private Epoch(int epoch) {
            this.epoch = epoch;
            this.order = order(epoch);
            fill();
        }

        private void fill() {
            if (workers == 0) {
                return;
            }
            while (inFlight.size() < prefetch && submitted < batches) {
                int number = submitted++;
                inFlight.add(executor().submit(() -> load(epoch, number, order)));
            }
        }

        public int batches() {
            return batches;
        }

        /** Nanoseconds {@link #next()} spent waiting for batches (zero when the loader keeps ahead). */
        public long waitNanos() {
            return waitNanos;
        }

        @Override
        public boolean hasNext() {
            return delivered < batches;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("epoch " + epoch + " has " + batches + " batches");
            }
            long t0 = System.nanoTime();
            try {
                if (workers == 0) {
                    return load(epoch, delivered, order);
                }
                fill();
                Future<Batch> f = inFlight.poll();
                Batch b = f.get();
                fill();
                return b;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                close();
                switch (cause) {
                    case IOException io -> throw new UncheckedIOException(io);
                    case RuntimeException re -> throw re;
                    case Error err -> throw err;
                    default -> throw new IllegalStateException(cause);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new CancellationException("interrupted while waiting for data");
            } finally {
                delivered++;
                waitNanos += System.nanoTime() - t0;
            }
        }

        @Override
        public Iterator<Batch> iterator() {
            return this;
        }

        /** Cancels the batches still being prepared. */
        @Override
        public void close() {
            for (Future<Batch> f : inFlight) {
                f.cancel(true);
            }
            inFlight.clear();
            submitted = batches;
        }
    }

    public static final class Builder {
        private final Dataset dataset;
        private int batchSize = 32;
        private boolean shuffle = true;
        private boolean dropLast;
        private Transform transform = Transform.identity();
        private long seed;
        private int workers = 1;
        private int prefetch = 4;

        private Builder(Dataset dataset) {
            this.dataset = Objects.requireNonNull(dataset, "dataset");
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** A new random order every epoch (default true). */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** Drop the last batch when it is smaller than the others (default false). */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        public Builder transform(Transform transform) {
            this.transform = Objects.requireNonNull(transform, "transform");
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Background threads building batches (0 = on the caller's thread; default 1). */
        public Builder workers(int workers) {
            this.workers = workers;
            return this;
        }

        /** Batches prepared ahead at most (default 4). */
        public Builder prefetch(int prefetch) {
            this.prefetch = prefetch;
            return this;
        }

        public DataLoader build() {
            if (batchSize < 1 || workers < 0 || prefetch < 1) {
                throw new IllegalArgumentException("DataLoader: need batch size ≥ 1, workers ≥ 0 and prefetch ≥ 1");
            }
            if (dataset.size() == 0) {
                throw new IllegalArgumentException("DataLoader: " + dataset.describe() + " has no examples");
            }
            return new DataLoader(this);
        }
    }
}
