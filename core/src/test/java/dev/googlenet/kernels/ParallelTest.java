package dev.googlenet.kernels;

import org.junit.jupiter.api.Test;

import java.util.concurrent.ConcurrentHashMap;
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
