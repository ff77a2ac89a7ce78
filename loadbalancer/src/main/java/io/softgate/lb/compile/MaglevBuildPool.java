package io.softgate.lb.compile;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The threads a {@link LoadBalancerCompiler} builds its Maglev tables on: the calling thread plus
 * {@code parallelism - 1} named daemon threads of its own, never the common fork-join pool (whose
 * threads are shared with everything else in the JVM, are not counted by whoever budgets the
 * compile's CPU, and may run on a core a data-plane worker uses). With a parallelism of 1 there
 * is no thread at all: every table is built on the calling thread. Its owner (whoever owns the
 * compiler, e.g. the {@code LoadBalancerController}) closes it; {@link #close} returns once its
 * threads have ended.
 *
 * <p>Threading: {@link #run} is called by one compiling thread at a time (the compiler is
 * synchronized) and returns once every task has finished; {@link #close} by the owner after the
 * last compile.
 */
public final class MaglevBuildPool implements AutoCloseable {
    /** Most build threads a pool may have (a compile is control-plane work). */
    public static final int MAX_PARALLELISM = 64;

    private final int parallelism;
    private final ThreadPoolExecutor executor;
    private final List<Thread> threads = new ArrayList<>();

    private MaglevBuildPool(String name, int parallelism) {
        if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
            throw new IllegalArgumentException("Maglev build parallelism must be 1.." + MAX_PARALLELISM + ": " + parallelism);
        }
        this.parallelism = parallelism;
        if (parallelism == 1) {
            this.executor = null;
            return;
        }
        AtomicInteger next = new AtomicInteger();
        ThreadFactory factory = task -> {
            Thread thread = new Thread(task, name + "-" + next.incrementAndGet());
            thread.setDaemon(true);
            synchronized (threads) {
                threads.add(thread);
            }
            return thread;
        };
        // Core threads only (started on first use, kept while the pool lives): a compile never
        // has more than parallelism - 1 tasks queued, so the queue never grows past that.
        this.executor = new ThreadPoolExecutor(parallelism - 1, parallelism - 1, 0L, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(), factory);
    }

    /**
     * A pool of {@code parallelism} builders (the caller and {@code parallelism - 1} daemon
     * threads named {@code name-1}, {@code name-2}, ...).
     *
     * @throws IllegalArgumentException when {@code parallelism} is outside 1..{@link #MAX_PARALLELISM}
     */
    public static MaglevBuildPool create(String name, int parallelism) {
        return new MaglevBuildPool(name, parallelism);
    }

    /** A pool without threads: every table is built on the calling thread. */
    public static MaglevBuildPool callerOnly() {
        return new MaglevBuildPool("unused", 1);
    }

    /**
     * Half the cores, at least one: a control plane's compile should not take every core from
     * the data-plane workers (a table build is about 0.5 ms of CPU; 1,000 of them then take a
     * fraction of a second on a few cores).
     */
    public static int defaultParallelism() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    /** How many builders run at once (the caller included). */
    public int parallelism() {
        return parallelism;
    }

    /** Tasks this pool's own threads have finished (not those the caller ran). */
    public long tasksRunOnPoolThreads() {
        return executor == null ? 0 : executor.getCompletedTaskCount();
    }

    /**
     * Runs {@code task} for every index in [0, {@code tasks}): index 0 on the calling thread, the
     * others on the pool's threads, and returns once all have finished. The first failure is
     * thrown then (a {@link RuntimeException} or {@link Error} as it was thrown).
     *
     * @throws IllegalArgumentException when {@code tasks} exceeds {@link #parallelism}
     * @throws java.util.concurrent.RejectedExecutionException after {@link #close}
     */
    void run(int tasks, IntConsumer task) {
        if (tasks > parallelism) {
            throw new IllegalArgumentException(tasks + " tasks for a parallelism of " + parallelism);
        }
        if (tasks <= 0) {
            return;
        }
        List<Future<?>> others = new ArrayList<>(tasks - 1);
        Throwable failure = null;
        try {
            for (int index = 1; index < tasks; index++) {
                int taskIndex = index;
                others.add(executor.submit(() -> task.accept(taskIndex)));
            }
            task.accept(0);
        } catch (RuntimeException | Error e) {
            // A refused submit (closed meanwhile) or the caller's own task: the tasks already
            // submitted are still awaited below before this is thrown.
            failure = e;
        }
        // Every task finishes before the compile goes on (or throws): none is left writing.
        for (Future<?> other : others) {
            Throwable otherFailure = await(other);
            if (failure == null) {
                failure = otherFailure;
            }
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            // A checked exception thrown sneakily: never return as if the builds were complete.
            throw new IllegalStateException("Maglev build failed", failure);
        }
    }

    /** Waits for {@code future} without giving up on an interrupt (kept for the caller); its failure or null. */
    private static Throwable await(Future<?> future) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    future.get();
                    return null;
                } catch (InterruptedException e) {
                    // A table build is short and its result is needed: wait it out.
                    interrupted = true;
                } catch (ExecutionException e) {
                    return e.getCause();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops the threads and returns once they have ended; a compile after this fails. */
    @Override
    public void close() {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        List<Thread> started;
        synchronized (threads) {
            started = List.copyOf(threads);
        }
        boolean interrupted = false;
        for (Thread thread : started) {
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
