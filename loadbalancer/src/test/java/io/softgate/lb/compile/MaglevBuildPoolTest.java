package io.softgate.lb.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.lb.model.Backend;
import io.softgate.lb.model.HealthCheck;
import io.softgate.lb.model.LbProtocol;
import io.softgate.lb.model.LoadBalancerConfig;
import io.softgate.lb.model.LoadBalancerService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class MaglevBuildPoolTest {
    private static final String THREAD_NAME = "maglev-build-pool-test";

    /** {@code count} services, each with its own two backends: every one needs its own Maglev table. */
    private static LoadBalancerConfig services(int count) {
        List<LoadBalancerService> services = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            services.add(LoadBalancerService.of("web" + s, LbProtocol.TCP, "203.0.113." + (s + 1), 80,
                List.of(Backend.of("10.1." + s + ".5", 80), Backend.of("10.1." + s + ".6", 80)), HealthCheck.NONE, "blue"));
        }
        return LoadBalancerConfig.of(services).withMaglevTableSize(65_537);
    }

    private static long commonPoolActivity() {
        ForkJoinPool common = ForkJoinPool.commonPool();
        return common.getStealCount() + common.getQueuedTaskCount() + common.getQueuedSubmissionCount();
    }

    private static List<Thread> poolThreads() {
        List<Thread> threads = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith(THREAD_NAME + "-")) {
                threads.add(thread);
            }
        }
        return threads;
    }

    @Test
    void shouldBuildMaglevTablesWithoutTheCommonForkJoinPool() throws Exception {
        long before = commonPoolActivity();
        new LoadBalancerCompiler(new TestVrfs()).compile(services(64), BackendHealth.ALL_HEALTHY);
        try (MaglevBuildPool pool = MaglevBuildPool.create(THREAD_NAME, 3)) {
            new LoadBalancerCompiler(new TestVrfs(), pool).compile(services(64), BackendHealth.ALL_HEALTHY);
        }
        assertEquals(before, commonPoolActivity());
    }

    @Test
    void shouldBuildOnItsOwnThreadsTheTablesTheCallerAloneBuilds() throws Exception {
        LoadBalancerTables alone = new LoadBalancerCompiler(new TestVrfs()).compile(services(16), BackendHealth.ALL_HEALTHY);
        try (MaglevBuildPool pool = MaglevBuildPool.create(THREAD_NAME, 3)) {
            LoadBalancerTables pooled = new LoadBalancerCompiler(new TestVrfs(), pool).compile(services(16),
                BackendHealth.ALL_HEALTHY);
            // Tasks 1 and 2 (the caller ran task 0). The pool counts a task after its future
            // completes, so the compile may return a moment before the count moves: wait for it.
            long deadlineNs = System.nanoTime() + 10_000_000_000L;
            while (pool.tasksRunOnPoolThreads() < 2 && System.nanoTime() < deadlineNs) {
                Thread.sleep(1);
            }
            assertEquals(2, pool.tasksRunOnPoolThreads());
            for (int s = 0; s < 16; s++) {
                for (int slot = 0; slot < alone.maglevTableSize(s); slot++) {
                    assertEquals(alone.selectBackend(s, slot), pooled.selectBackend(s, slot));
                }
            }
        }
    }

    @Test
    void shouldEndItsThreadsWhenClosed() throws Exception {
        MaglevBuildPool pool = MaglevBuildPool.create(THREAD_NAME, 3);
        LoadBalancerCompiler compiler = new LoadBalancerCompiler(new TestVrfs(), pool);
        compiler.compile(services(8), BackendHealth.ALL_HEALTHY);
        List<Thread> threads = poolThreads();
        assertEquals(2, threads.size());
        assertTrue(threads.stream().allMatch(Thread::isDaemon));
        pool.close();
        assertTrue(threads.stream().noneMatch(Thread::isAlive));
        assertEquals(List.of(), poolThreads());
        // Another table size: every table is built anew, so the compile needs the closed threads.
        assertThrows(RejectedExecutionException.class,
            () -> compiler.compile(services(8).withMaglevTableSize(251), BackendHealth.ALL_HEALTHY));
    }

    @Test
    void shouldStartNoThreadWithAParallelismOfOne() throws Exception {
        try (MaglevBuildPool pool = MaglevBuildPool.create(THREAD_NAME, 1)) {
            new LoadBalancerCompiler(new TestVrfs(), pool).compile(services(8), BackendHealth.ALL_HEALTHY);
            assertEquals(List.of(), poolThreads());
            assertEquals(0, pool.tasksRunOnPoolThreads());
        }
    }

    @Test
    void shouldRefuseAParallelismOutsideItsBounds() {
        assertThrows(IllegalArgumentException.class, () -> MaglevBuildPool.create(THREAD_NAME, 0));
        assertThrows(IllegalArgumentException.class, () -> MaglevBuildPool.create(THREAD_NAME, MaglevBuildPool.MAX_PARALLELISM + 1));
    }

    @Test
    void shouldDefaultToAParallelismWithinItsBoundsAndTheCores() {
        int parallelism = MaglevBuildPool.defaultParallelism();
        assertTrue(parallelism >= 1 && parallelism <= MaglevBuildPool.MAX_PARALLELISM, "parallelism " + parallelism);
        assertTrue(parallelism <= Runtime.getRuntime().availableProcessors(), "parallelism " + parallelism);
        MaglevBuildPool.create(THREAD_NAME, parallelism).close(); // a value create accepts
    }
}
