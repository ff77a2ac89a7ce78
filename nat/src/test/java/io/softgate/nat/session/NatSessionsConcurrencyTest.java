package io.softgate.nat.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.rewrite.Rewrite;
import io.softgate.nat.stage.NatDropReason;
import io.softgate.nat.testing.NatFixture;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

/**
 * Two workers open sessions at the same time on the shared tables: every inside endpoint gets
 * exactly one mapping (EIM holds under races) and no public port is given to two endpoints.
 *
 * <p>A creation may be refused as {@link NatDropReason#INSERT_CONTENDED} when the other worker
 * is descheduled while it publishes the same endpoint's mapping (or subscriber counter): the
 * table's wait for that pending insert is bounded, so the packet is dropped and counted and the
 * endpoint's next packet finds the mapping. The test models that next packet once the racing
 * worker has finished, and allows no other failure.
 */
class NatSessionsConcurrencyTest {
    private static final int ENDPOINTS = 4000;
    private static final int WORKERS = 2;
    private static final int SUBSCRIBERS = 200;
    private static final int SERVER = Ipv4Flyweight.parse("192.0.2.1");
    private static final int FIRST_SOURCE = Ipv4Flyweight.parse("10.0.0.1");

    @Test
    void shouldGiveEachEndpointOnePortAndNoPortTwiceUnderConcurrentCreation() throws Exception {
        try (NatFixture nat = new NatFixture(NatSettings.defaults(), NatFixture.defaultRules(), 1 << 15)) {
            int[][] entries = new int[WORKERS][ENDPOINTS];
            long[][] rewrites = new long[WORKERS][ENDPOINTS];
            NatScratch[] scratches = new NatScratch[WORKERS];
            CyclicBarrier start = new CyclicBarrier(WORKERS);
            Thread[] workers = new Thread[WORKERS];
            for (int w = 0; w < WORKERS; w++) {
                int worker = w;
                scratches[w] = new NatScratch(worker + 1);
                workers[w] = new Thread(() -> {
                    try {
                        start.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    for (int i = 0; i < ENDPOINTS; i++) {
                        create(nat, worker, i, scratches[worker], entries, rewrites);
                    }
                });
                workers[w].start();
            }
            for (Thread worker : workers) {
                worker.join();
            }
            for (int w = 0; w < WORKERS; w++) {
                for (int i = 0; i < ENDPOINTS; i++) {
                    if (entries[w][i] == NatSessions.failure(NatDropReason.INSERT_CONTENDED)) {
                        // The endpoint's next packet, after the racing worker finished its insert.
                        create(nat, w, i, scratches[w], entries, rewrites);
                    }
                    int result = entries[w][i];
                    int endpoint = i;
                    int worker = w;
                    assertTrue(result >= 0, () -> "worker " + worker + " endpoint " + endpoint + " refused: "
                        + describe(result));
                }
            }
            Map<Long, Integer> ownerOfPort = new HashMap<>();
            long[] mappingKey = new long[2];
            for (int i = 0; i < ENDPOINTS; i++) {
                assertEquals(Ipv4Flyweight.parse(NatFixture.BLUE_SNAT), Rewrite.newAddress(rewrites[0][i]),
                    "worker 0 translated endpoint " + i);
                assertEquals(rewrites[0][i] >>> 16, rewrites[1][i] >>> 16,
                    "endpoint " + i + " must have one mapping (same public address and port) on both workers");
                long publicEndpoint = rewrites[0][i] >>> 16;
                Integer previous = ownerOfPort.put(publicEndpoint, i);
                assertTrue(previous == null, "port " + Rewrite.newPort(rewrites[0][i]) + " given to " + previous
                    + " and " + i);
                // Refused attempts must not leave a reference behind: one per session, so the
                // sweeper frees the port when both sessions end.
                MappingAllocator.insideMappingKey(mappingKey, ProtocolClass.of(17), NatFixture.BLUE_VRF,
                    source(i), port(i));
                int mapping = nat.sessions.mappingTable().lookup(mappingKey, nat.nowNs());
                assertTrue(mapping >= 0, "endpoint " + i + " has no mapping");
                assertEquals(WORKERS, nat.sessions.mappingTable().value(mapping,
                    MappingAllocator.MAPPING_WORD_REFERENCES), "sessions referencing endpoint " + i + "'s mapping");
            }
            assertEquals(WORKERS * ENDPOINTS, nat.sessions.sessionCount(), "sessions reserved");
            // Nor a port or a subscriber count: exactly one per mapping.
            NatSettings settings = nat.tables.settings();
            PortSpace ports = nat.registry.find(Ipv4Flyweight.parse(NatFixture.BLUE_SNAT)).ports;
            int portsInUse = 0;
            for (int port = settings.portRangeFirst(); port <= settings.portRangeLast(); port++) {
                portsInUse += ports.isInUse(ProtocolClass.of(17), port) ? 1 : 0;
            }
            assertEquals(ENDPOINTS, portsInUse, "public ports in use");
            for (int subscriber = 0; subscriber < SUBSCRIBERS; subscriber++) {
                MappingAllocator.subscriberKey(mappingKey, ProtocolClass.of(17), NatFixture.BLUE_VRF,
                    FIRST_SOURCE + subscriber);
                int counter = nat.sessions.mappingTable().lookup(mappingKey, nat.nowNs());
                assertEquals(ENDPOINTS / SUBSCRIBERS, nat.sessions.mappingTable().value(counter,
                    MappingAllocator.MAPPING_WORD_REFERENCES), "ports counted for subscriber " + subscriber);
            }
        }
    }

    /** Worker {@code worker} opens endpoint {@code i}'s session to its own server port. */
    private static void create(NatFixture nat, int worker, int i, NatScratch scratch, int[][] entries,
                               long[][] rewrites) {
        int entry = nat.sessions.createOutbound(nat.tables, NatFixture.BLUE_VRF, 17, source(i), port(i), SERVER,
            53 + worker, 0, nat.nowNs(), scratch);
        entries[worker][i] = entry;
        rewrites[worker][i] = entry < 0 ? 0 : scratch.values[SessionKeys.WORD_REWRITE0];
    }

    private static int source(int endpoint) {
        return FIRST_SOURCE + endpoint % SUBSCRIBERS;
    }

    private static int port(int endpoint) {
        return 1024 + endpoint;
    }

    private static String describe(int result) {
        if (result == NatSessions.PASS) {
            return "PASS";
        }
        return result == NatSessions.PASS_NO_RULE ? "PASS_NO_RULE" : NatSessions.reasonOf(result).label();
    }
}
