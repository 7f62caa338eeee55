package dev.googlenet.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** Requests sent at once from their own threads, released together; bounded in count and time. */
final class Concurrent {
    private static final long LIMIT_SECONDS = 120;

    private Concurrent() {
    }

    /** Starts {@code n} requests together (request i is {@code send.apply(i)}) and returns their futures. */
    static <T> List<Future<T>> start(int n, IntFunction<T> send, ExecutorService pool) {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            futures.add(pool.submit(() -> {
                go.await();
                return send.apply(index);
            }));
        }
        go.countDown();
        return futures;
    }

    /** {@link #start}, then waits for every response. */
    static <T> List<T> run(int n, IntFunction<T> send) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            return await(start(n, send, pool));
        } finally {
            pool.shutdownNow();
        }
    }

    static <T> List<T> await(List<Future<T>> futures) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIMIT_SECONDS);
        List<T> out = new ArrayList<>();
        for (Future<T> f : futures) {
            out.add(f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
        }
        return out;
    }
}
