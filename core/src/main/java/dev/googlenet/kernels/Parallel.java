package dev.googlenet.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The engine's thread pool: a fixed set of daemon workers plus the calling thread, running
 * {@link #parallelFor(int, IntConsumer)} loops. Tasks are claimed dynamically, so callers must make each task's
 * result independent of which thread runs it (split the output, never a sum): then results are deterministic.
 *
 * <p>Each thread first runs its own contiguous share of the tasks (the caller the first share, worker {@code i}
 * the {@code i}-th), then takes what is left of the others' shares. A loop cut the same way on every call thus
 * hands each core the same slice of the weights every time, which then stays in that core's caches; a thread
 * slowed by other load still gets its work taken over.
 *
 * <p>The engine pool ({@link #get()}) has {@link EngineOptions#threads()} threads, as {@link Engine#configure}
 * said before its first use (else the system property {@code googlenet.threads}, else one per available
 * processor). Other pools can be made for tests and benchmarks.
 *
 * <p>Nested or concurrent calls on a busy pool do not wait for it: they run their tasks on the calling thread.
 */
public final class Parallel implements AutoCloseable {
    /** A waiting thread spins this long (busy, {@link Thread#onSpinWait}): back-to-back calls start at once. */
    private static final long SPIN_NANOS = 50_000;
    /**
     * Then it yields its processor until this much time has passed, and only then parks. A parked thread's
     * processor goes idle, and on a virtual machine an idle virtual CPU may lose its physical core to the host:
     * waking it then takes a wake-up call and a host-level reschedule. Within one inference a thread waits for
     * the other's last task (at batch 1 a task is a small slice of one layer) several times, and parking after
     * the spin alone made a batch-1 inference park and wake a worker about five times (README, Benchmarks).
     * Yielding, not spinning, leaves the processor to other runnable threads (request handlers, data loading).
     */
    private static final long YIELD_NANOS = 1_000_000;

    private static volatile Parallel engine;

    private final int threads;
    private final Worker[] workers;
    /** Held (0 -> 1) by the one caller whose loop the workers are running. */
    private final AtomicInteger busy = new AtomicInteger();
    private volatile Job current;
    private volatile boolean closed;

    /** A pool of {@code threads} threads in all, the caller included ({@code threads - 1} workers are started). */
    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, not " + threads);
        }
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(this, i + 1);
            workers[i].start();
        }
    }

    /** The engine's shared pool, created on first use with the {@link Engine}'s thread count. */
    public static Parallel get() {
        Parallel p = engine;
        if (p == null) {
            synchronized (Engine.LOCK) {
                p = engine;
                if (p == null) {
                    p = new Parallel(Engine.poolThreads());
                    engine = p;
                }
            }
        }
        return p;
    }

    /** The engine pool if it has been created, else null (it is not created here). */
    static Parallel started() {
        return engine;
    }

    /**
     * Sets the engine pool's thread count: {@link Engine#configure} with the other options unchanged. Allowed
     * before the pool's first use, or later with the count it already has; otherwise throws
     * {@link IllegalStateException}.
     */
    public static void setThreads(int threads) {
        Engine.configure(Engine.options().withThreads(threads));
    }

    /** What a thread waiting for work (or for the other threads' last tasks) does next. */
    enum WaitStep {
        SPIN, YIELD, PARK;

        /** The step after waiting {@code waitedNanos}: spin, then yield, then park. */
        static WaitStep after(long waitedNanos) {
            return waitedNanos < SPIN_NANOS ? SPIN : waitedNanos < YIELD_NANOS ? YIELD : PARK;
        }
    }

    /**
     * One turn of a wait that began at {@code since} (System.nanoTime): true after spinning or yielding once, false
     * when the wait has lasted long enough to park.
     */
    private static boolean waitedBriefly(long since) {
        switch (WaitStep.after(System.nanoTime() - since)) {
            case SPIN -> Thread.onSpinWait();
            case YIELD -> Thread.yield();
            case PARK -> {
                return false;
            }
        }
        return true;
    }

    /** Tasks per thread that {@link #tasksFor} aims at: slack for a thread slowed by other load. */
    public static final int TASKS_PER_THREAD = 4;

    /**
     * How many tasks to cut {@code work} units into: none smaller than {@code grain} units (1 task, run inline,
     * for tiny work), and at most {@link #TASKS_PER_THREAD} per thread.
     */
    public int tasksFor(long work, long grain) {
        if (threads <= 1 || work < 2 * grain) {
            return 1;
        }
        return (int) Math.min((long) threads * TASKS_PER_THREAD, work / Math.max(1, grain));
    }

    /** Threads that run tasks, the caller included. */
    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body.accept(t)} for every {@code t} in {@code [0, tasks)} and returns when all are done. The
     * caller runs tasks too. One task (or a one-thread pool) runs inline with no synchronisation. The first
     * exception thrown by a task is rethrown here after all tasks have finished or been skipped.
     */
    public void parallelFor(int tasks, IntConsumer body) {
        if (tasks <= 0) {
            return;
        }
        if (tasks == 1 || workers.length == 0 || closed || Thread.currentThread() instanceof Worker w && w.pool == this
                || !busy.compareAndSet(0, 1)) {
            for (int t = 0; t < tasks; t++) {
                body.accept(t);
            }
            return;
        }
        Job job = new Job(body, tasks, threads, Thread.currentThread());
        try {
            current = job;
            int wake = Math.min(workers.length, tasks - 1);
            for (int i = 0; i < wake; i++) {
                workers[i].wake();
            }
            job.runTasks(0);
            job.awaitDone();
        } finally {
            // Drop the references to the task body (and the arrays it captured) once every task is done.
            current = null;
            job.body = null;
            busy.set(0);
        }
        Throwable err = job.error;
        if (err != null) {
            if (err instanceof RuntimeException re) {
                throw re;
            }
            if (err instanceof Error e) {
                throw e;
            }
            throw new RuntimeException(err);
        }
    }

    /** Stops the workers (they are daemons, so an unclosed pool does not keep the JVM alive). */
    @Override
    public void close() {
        if (this == engine) {
            throw new IllegalStateException("the engine pool is never closed");
        }
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
    }

    /**
     * One parallelFor call: thread {@code i} claims from share {@code i} first ({@code cursor(i)} up to
     * {@code end(i)}), then from the others'; the caller waits for {@code pending} to drain.
     */
    private static final class Job {
        /** Ints between two shares' cursors: a cache line apiece, so claiming one's own tasks shares nothing. */
        private static final int STRIDE = 16;

        IntConsumer body; // cleared when done; workers read it only for tasks they claimed before then
        final int tasks;
        final int shares;
        final Thread caller;
        final AtomicIntegerArray cursors;
        final AtomicInteger pending;
        volatile Throwable error;

        Job(IntConsumer body, int tasks, int threads, Thread caller) {
            this.body = body;
            this.tasks = tasks;
            this.shares = Math.min(threads, tasks);
            this.caller = caller;
            this.cursors = new AtomicIntegerArray(shares * STRIDE);
            for (int i = 1; i < shares; i++) {
                cursors.set(i * STRIDE, start(i));
            }
            this.pending = new AtomicInteger(tasks);
        }

        /** First task of share {@code i}: the tasks split as evenly as they go, in order. */
        private int start(int i) {
            return (int) ((long) tasks * i / shares);
        }

        /**
         * Runs share {@code self}'s tasks, then any left in the other shares (all of them when it has none), and
         * counts them off {@code pending} once at the end: a shared counter touched per task would cross between
         * the cores' caches on every task.
         */
        void runTasks(int self) {
            int first = self < shares ? self : 0, done = 0;
            for (int k = 0; k < shares; k++) {
                done += runShare((first + k) % shares);
            }
            if (done > 0 && pending.addAndGet(-done) == 0 && Thread.currentThread() != caller) {
                LockSupport.unpark(caller);
            }
        }

        /** Runs what is left of one share; returns how many tasks this thread ran. */
        private int runShare(int share) {
            int end = start(share + 1), done = 0;
            int t;
            while ((t = cursors.getAndIncrement(share * STRIDE)) < end) {
                try {
                    if (error == null) {
                        body.accept(t);
                    }
                } catch (Throwable e) {
                    if (error == null) {
                        error = e;
                    }
                }
                done++;
            }
            return done;
        }

        void awaitDone() {
            long since = System.nanoTime();
            while (pending.get() != 0) {
                if (!waitedBriefly(since)) {
                    LockSupport.parkNanos(this, 200_000);
                }
            }
        }
    }

    private static final class Worker extends Thread {
        final Parallel pool;
        /** This worker's share of every job: the caller takes share 0. */
        final int index;
        private Job seen;
        private volatile boolean parked;

        Worker(Parallel pool, int index) {
            super("googlenet-worker-" + index);
            this.pool = pool;
            this.index = index;
            setDaemon(true);
        }

        void wake() {
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        @Override
        public void run() {
            while (!pool.closed) {
                Job job = awaitJob();
                if (job != null) {
                    job.runTasks(index);
                }
            }
        }

        /** Spins, then yields, then parks, until a job it has not seen is published (or the pool closes). */
        private Job awaitJob() {
            long since = System.nanoTime();
            while (true) {
                Job job = pool.current;
                if (job != seen) {
                    seen = job;
                    if (job != null) {
                        return job;
                    }
                }
                if (pool.closed) {
                    return null;
                }
                if (!waitedBriefly(since)) {
                    parked = true;
                    // Re-check after announcing the park: a job published before 'parked' was seen gets no unpark.
                    if (pool.current == seen && !pool.closed) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    since = System.nanoTime();
                }
            }
        }
    }
}
