package io.softgate.service.intent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.softgate.service.config.ConfigLoader;
import io.softgate.service.config.SoftgateConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class IntentWarmUpTest {
    private static final String CONFIG = """
        {"node": {"name": "sg1", "routerMac": "02:5f:00:00:00:01", "vtepAddress": "10.255.0.1", "publicVrf": "public"},
         "forwarding": {"vrfs": [{"name": "public", "l3vni": 9000}]},
         "io": {"backend": "memory"}}
        """;
    private static final ObjectMapper READER = new ObjectMapper();
    private static final long UNBOUNDED_NS = Long.MAX_VALUE;

    private static SoftgateConfig config(String json) throws Exception {
        return ConfigLoader.parse("test", json.getBytes(StandardCharsets.UTF_8));
    }

    private static IntentDocument bind(byte[] body) throws Exception {
        return READER.readValue(body, IntentDocument.class);
    }

    @Test
    void shouldSynthesiseAnIntentTheValidatorAccepts() {
        IntentDocument document = IntentWarmUp.document("site", "Admin");
        assertEquals(List.of(), IntentValidator.validate(document));
        assertEquals(IntentWarmUp.VPCS * (1 + IntentWarmUp.PORT_FORWARDS_PER_VPC), document.nats().size());
        assertEquals(IntentWarmUp.VPCS * IntentWarmUp.LB_SERVICES_PER_VPC, document.l4lbs().size());
    }

    @Test
    void shouldRehearseAWholeApplyAndItsOneRuleChangesWithoutError() throws Exception {
        IntentWarmUp.Result result = IntentWarmUp.run(config(CONFIG), "site", "Admin", IntentWarmUpTest::bind, 1,
            UNBOUNDED_NS, UNBOUNDED_NS);
        assertNull(result.failure());
        assertEquals(1, result.rounds());
        assertEquals(1 + IntentWarmUp.CHANGES_PER_ROUND, result.applies());
    }

    @Test
    void shouldReturnAFailureInsteadOfThrowingWhenABodyDoesNotBind() throws Exception {
        IntentWarmUp.Result result = IntentWarmUp.run(config(CONFIG), "site", "Admin", body -> {
            throw new java.io.IOException("reader broken");
        }, 3, UNBOUNDED_NS, UNBOUNDED_NS);
        assertTrue(result.failure().contains("reader broken"), result.failure());
        assertEquals(0, result.rounds());
        assertEquals(0, result.applies());
    }

    @Test
    void shouldReturnTheCompilersRefusalWhenTheNodeHasNoPublicVrf() throws Exception {
        SoftgateConfig noPublicVrf = config(CONFIG.replace(", \"publicVrf\": \"public\"", ""));
        IntentWarmUp.Result result = IntentWarmUp.run(noPublicVrf, "site", "Admin", IntentWarmUpTest::bind, 3,
            UNBOUNDED_NS, UNBOUNDED_NS);
        assertTrue(result.failure().contains("publicVrf"), result.failure());
        assertEquals(0, result.applies());
    }

    @Test
    void shouldStartNoStepOnceItsTimeBudgetIsSpent() throws Exception {
        IntentWarmUp.Result wallSpent = IntentWarmUp.run(config(CONFIG), "site", "Admin", IntentWarmUpTest::bind, 3, 0,
            UNBOUNDED_NS);
        IntentWarmUp.Result cpuSpent = IntentWarmUp.run(config(CONFIG), "site", "Admin", IntentWarmUpTest::bind, 3,
            UNBOUNDED_NS, 0);
        assertEquals(0, wallSpent.applies());
        assertEquals(0, cpuSpent.applies());
        assertNull(wallSpent.failure());
        assertNull(cpuSpent.failure());
    }

    @Test
    void shouldStartNoHealthProbeThread() throws Exception {
        // Other tests of this JVM may have left probe threads that end meanwhile: never more after than before.
        long before = probeThreads();
        IntentWarmUp.run(config(CONFIG), "site", "Admin", IntentWarmUpTest::bind, 1, UNBOUNDED_NS, UNBOUNDED_NS);
        assertTrue(probeThreads() <= before, "the rehearsal's LB controller started probing");
    }

    @Test
    void shouldBuildItsMaglevTablesOnTheWarmUpThreadWithoutTheCommonForkJoinPool() throws Exception {
        // Work on the common pool's threads would escape the warm-up's CPU budget (its thread's CPU time).
        // So would work on a Maglev build pool's threads: watch for any such thread the run starts.
        long before = commonPoolActivity();
        java.util.Set<Thread> earlier = buildThreads();
        java.util.Set<Thread> started = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            while (running.get()) {
                for (Thread thread : buildThreads()) {
                    if (!earlier.contains(thread)) {
                        started.add(thread);
                    }
                }
                java.util.concurrent.locks.LockSupport.parkNanos(100_000);
            }
        }, "warm-up-test-watcher");
        watcher.start();
        IntentWarmUp.Result result;
        try {
            result = IntentWarmUp.run(config(CONFIG), "site", "Admin", IntentWarmUpTest::bind, 1, UNBOUNDED_NS,
                UNBOUNDED_NS);
        } finally {
            running.set(false);
            watcher.join();
        }
        assertNull(result.failure());
        assertEquals(before, commonPoolActivity());
        assertTrue(started.isEmpty(), "the rehearsal started Maglev build threads: " + started);
    }

    private static java.util.Set<Thread> buildThreads() {
        java.util.Set<Thread> threads = new java.util.HashSet<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith(io.softgate.lb.control.LoadBalancerController.MAGLEV_BUILD_THREAD_NAME + "-")) {
                threads.add(thread);
            }
        }
        return threads;
    }

    private static long commonPoolActivity() {
        java.util.concurrent.ForkJoinPool common = java.util.concurrent.ForkJoinPool.commonPool();
        return common.getStealCount() + common.getQueuedTaskCount() + common.getQueuedSubmissionCount();
    }

    private static long probeThreads() {
        long count = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("lb-health-") && thread.isAlive()) {
                count++;
            }
        }
        return count;
    }
}
