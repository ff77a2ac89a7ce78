package io.softgate.nat.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.rewrite.Rewrite;
import io.softgate.nat.testing.NatFixture;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

/**
 * Two workers open sessions at the same time on the shared tables: every inside endpoint gets
 * exactly one mapping (EIM holds under races) and no public port is given to two endpoints.
 */
class NatSessionsConcurrencyTest {
    private static final int ENDPOINTS = 4000;
    private static final int SERVER = Ipv4Flyweight.parse("192.0.2.1");

    @Test
    void shouldGiveEachEndpointOnePortAndNoPortTwiceUnderConcurrentCreation() throws Exception {
        try (NatFixture nat = new NatFixture(NatSettings.defaults(), NatFixture.defaultRules(), 1 << 15)) {
            long[][] results = new long[2][ENDPOINTS];
            CyclicBarrier start = new CyclicBarrier(2);
            Thread[] workers = new Thread[2];
            for (int w = 0; w < 2; w++) {
                int worker = w;
                workers[w] = new Thread(() -> {
                    NatScratch scratch = new NatScratch(worker + 1);
                    try {
                        start.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    for (int i = 0; i < ENDPOINTS; i++) {
                        // Both workers open the same endpoints, each to its own server port.
                        int source = Ipv4Flyweight.parse("10.0.0.1") + (i % 200);
                        int entry = nat.sessions.createOutbound(nat.tables, NatFixture.BLUE_VRF, 17, source,
                            1024 + i, SERVER, 53 + worker, 0, nat.nowNs(), scratch);
                        results[worker][i] = entry < 0 ? entry : scratch.values[SessionKeys.WORD_REWRITE0];
                    }
                });
                workers[w].start();
            }
            for (Thread worker : workers) {
                worker.join();
            }
            Map<Long, Integer> ownerOfPort = new HashMap<>();
            for (int i = 0; i < ENDPOINTS; i++) {
                assertEquals(Ipv4Flyweight.parse(NatFixture.BLUE_SNAT), Rewrite.newAddress(results[0][i]),
                    "worker 0 translated endpoint " + i);
                assertEquals(results[0][i] >>> 16, results[1][i] >>> 16,
                    "endpoint " + i + " must have one mapping (same public address and port) on both workers");
                long publicEndpoint = results[0][i] >>> 16;
                Integer previous = ownerOfPort.put(publicEndpoint, i);
                assertTrue(previous == null, "port " + Rewrite.newPort(results[0][i]) + " given to " + previous
                    + " and " + i);
            }
        }
    }
}
