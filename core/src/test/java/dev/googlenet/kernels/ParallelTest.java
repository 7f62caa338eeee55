package dev.googlenet.kernels;

import org.junit.jupiter.api.Test;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParallelTest {

    @Test
    void runsEveryTaskExactlyOnce() {
        try (Parallel p = new Parallel(3)) {
            for (int tasks : new int[] {0, 1, 2, 3, 7, 100, 1000}) {
                for (int rep = 0; rep < 20; rep++) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(1, tasks));
                    p.parallelFor(tasks, hits::incrementAndGet);
                    for (int t = 0; t < tasks; t++) {
                        assertEquals(1, hits.get(t), "task " + t + " of " + tasks);
                    }
                }
            }
        }
    }

    @Test
    void usesWorkerThreadsAndTheCaller() {
        try (Parallel p = new Parallel(2)) {
            assertEquals(2, p.threads());
            ConcurrentHashMap<String, Boolean> names = new ConcurrentHashMap<>();
            for (int rep = 0; rep < 200 && names.size() < 2; rep++) {
                p.parallelFor(8, t -> {
                    names.put(Thread.currentThread().getName(), true);
                    long until = System.nanoTime() + 200_000;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                });
            }
            assertTrue(names.containsKey(Thread.currentThread().getName()), names.toString());
            assertTrue(names.keySet().stream().anyMatch(n -> n.startsWith("googlenet-worker")), names.toString());
        }
    }

    /** Waits (bounded) until the flag is set; true if it was. */
    private static boolean await(AtomicBoolean flag) {
        long until = System.nanoTime() + 5_000_000_000L;
        while (!flag.get() && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        return flag.get();
    }

    @Test
    void eachThreadStartsOnItsOwnShare() {
        try (Parallel p = new Parallel(2)) {
            for (int rep = 0; rep < 5; rep++) {
                AtomicInteger workerFirst = new AtomicInteger(-1);
                AtomicBoolean workerStarted = new AtomicBoolean();
                Thread caller = Thread.currentThread();
                AtomicIntegerArray hits = new AtomicIntegerArray(8);
                p.parallelFor(8, t -> {
                    hits.incrementAndGet(t);
                    if (Thread.currentThread() != caller) {
                        workerFirst.compareAndSet(-1, t);
                        workerStarted.set(true);
                    } else if (t == 0) {
                        assertTrue(await(workerStarted), "the worker never started");
                    }
                });
                // the caller holds task 0 until the worker has started: the worker began at its share, tasks 4–7
                assertEquals(4, workerFirst.get());
                for (int t = 0; t < 8; t++) {
                    assertEquals(1, hits.get(t), "task " + t);
                }
            }
        }
    }

    @Test
    void aSlowThreadsShareIsTakenOver() {
        try (Parallel p = new Parallel(2)) {
            Thread caller = Thread.currentThread();
            AtomicBoolean lastDone = new AtomicBoolean();
            AtomicBoolean workerStarted = new AtomicBoolean();
            AtomicIntegerArray byCaller = new AtomicIntegerArray(8);
            p.parallelFor(8, t -> {
                if (Thread.currentThread() == caller) {
                    byCaller.set(t, 1);
                    if (t == 0) {
                        assertTrue(await(workerStarted), "the worker never started");
                    }
                } else {
                    workerStarted.set(true);
                }
                if (t == 7) {
                    lastDone.set(true);
                } else if (t == 4) {
                    await(lastDone); // the worker's first task stalls until 7, the end of its share, has run
                }
            });
            assertEquals(1, byCaller.get(7), "the caller took over the stalled thread's share");
        }
    }

    @Test
    void nestedCallsRunInline() {
        try (Parallel p = new Parallel(2)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(16);
            p.parallelFor(4, outer -> p.parallelFor(4, inner -> hits.incrementAndGet(outer * 4 + inner)));
            for (int i = 0; i < 16; i++) {
                assertEquals(1, hits.get(i));
            }
        }
    }

    @Test
    void rethrowsTheTaskException() {
        try (Parallel p = new Parallel(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.parallelFor(10, t -> {
                if (t == 7) {
                    throw new IllegalStateException("task 7");
                }
            }));
            assertEquals("task 7", e.getMessage());
            AtomicIntegerArray hits = new AtomicIntegerArray(5); // still usable afterwards
            p.parallelFor(5, hits::incrementAndGet);
            for (int i = 0; i < 5; i++) {
                assertEquals(1, hits.get(i));
            }
        }
    }

    @Test
    void tasksForKeepsTinyWorkInline() {
        try (Parallel p = new Parallel(2); Parallel single = new Parallel(1)) {
            assertEquals(1, p.tasksFor(10, 100));
            assertEquals(1, p.tasksFor(150, 100));
            assertEquals(3, p.tasksFor(300, 100));
            assertEquals(2 * Parallel.TASKS_PER_THREAD, p.tasksFor(1_000_000, 100));
            assertEquals(1, single.tasksFor(1_000_000, 100));
        }
    }

    /**
     * A waiting thread spins, then yields for up to a millisecond, and only then parks: a batch-1 inference leaves
     * a worker idle for a task's length several times, and parking it there cost a wake-up each time (README,
     * Benchmarks).
     */
    @Test
    void waitsAMillisecondBeforeParking() {
        assertEquals(Parallel.WaitStep.SPIN, Parallel.WaitStep.after(0));
        assertEquals(Parallel.WaitStep.SPIN, Parallel.WaitStep.after(49_999));
        assertEquals(Parallel.WaitStep.YIELD, Parallel.WaitStep.after(50_000), "past the spin: yield, do not park");
        assertEquals(Parallel.WaitStep.YIELD, Parallel.WaitStep.after(999_999));
        assertEquals(Parallel.WaitStep.PARK, Parallel.WaitStep.after(1_000_000));
        assertEquals(Parallel.WaitStep.PARK, Parallel.WaitStep.after(Long.MAX_VALUE));
    }

    @Test
    void enginePoolSizeIsFixedOnceUsed() {
        Parallel engine = Parallel.get();
        assertTrue(engine.threads() >= 1);
        Parallel.setThreads(engine.threads()); // same count: allowed
        assertThrows(IllegalStateException.class, () -> Parallel.setThreads(engine.threads() + 1));
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
        assertThrows(IllegalStateException.class, engine::close);
    }
}
