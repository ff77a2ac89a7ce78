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
                assertEquals(WORKERS, MappingAllocator.mappingReferences(nat.sessions.mappingTable().value(mapping,
                    MappingAllocator.MAPPING_WORD_REFERENCES)), "sessions referencing endpoint " + i + "'s mapping");
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
                assertEquals(ENDPOINTS / SUBSCRIBERS, MappingAllocator.counterPorts(nat.sessions.mappingTable().value(
                    counter, MappingAllocator.MAPPING_WORD_REFERENCES)), "ports counted for subscriber " + subscriber);
            }
        }
    }

    @Test
    void shouldKeepSubscriberCountsExactWhileTheSweeperRemovesCountersDuringCreation() throws Exception {
        // RFC 6888 per-subscriber port limit: a subscriber's counter is removed when its last
        // mapping is deleted, while workers create that subscriber's next mappings. Each phase the
        // sweeper deletes the previous phase's mappings (their counters fall to zero and are
        // removed, or are counted in again first) while two workers map new ports of the same
        // subscribers; at the end of each phase every counter must count exactly its
        // subscriber's mappings and sessions (RFC 6888 REQ-4, REQ-5), none may be left condemned,
        // and no creation may be refused except as insert-contended.
        int phases = 300;
        int subscribers = 8;
        long phaseNs = 400_000_000_000L; // past the UDP timeout: each phase expires the previous one
        try (NatFixture nat = new NatFixture(NatSettings.defaults(), NatFixture.defaultRules(), 1 << 12)) {
            NatScratch[] scratches = {new NatScratch(1), new NatScratch(2)};
            int[] refusals = new int[WORKERS];
            int[] refusedReason = new int[WORKERS];
            for (int phase = 1; phase <= phases; phase++) {
                long nowNs = NatFixture.START_NS + phase * phaseNs;
                int firstPort = 1024 + phase % 3 * 16;
                CyclicBarrier start = new CyclicBarrier(WORKERS + 1);
                Thread[] workers = new Thread[WORKERS];
                for (int w = 0; w < WORKERS; w++) {
                    int worker = w;
                    workers[w] = new Thread(() -> {
                        await(start);
                        for (int subscriber = 0; subscriber < subscribers; subscriber++) {
                            int entry = nat.sessions.createOutbound(nat.tables, NatFixture.BLUE_VRF, 17,
                                FIRST_SOURCE + subscriber, firstPort + worker, SERVER, 53, 0, nowNs, scratches[worker]);
                            if (entry < 0 && entry != NatSessions.failure(NatDropReason.INSERT_CONTENDED)) {
                                refusals[worker]++;
                                refusedReason[worker] = entry;
                            }
                        }
                    });
                    workers[w].start();
                }
                await(start);
                while (workers[0].isAlive() || workers[1].isAlive()) {
                    nat.sweeper.sweepAll(nat.tables, nowNs);
                }
                for (Thread worker : workers) {
                    worker.join();
                }
                nat.sweeper.sweepAll(nat.tables, nowNs);
                for (int w = 0; w < WORKERS; w++) {
                    int worker = w;
                    assertEquals(0, refusals[w], () -> "worker " + worker + " refused: " + describe(refusedReason[worker]));
                }
                assertCountersMatchMappings(nat, subscribers, phase);
            }
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every subscriber's UDP counter counts its live mappings and sessions; a subscriber with none has no counter. */
    private static void assertCountersMatchMappings(NatFixture nat, int subscribers, int phase) {
        io.softgate.core.flow.FlowTable table = nat.sessions.mappingTable();
        int[] mappings = new int[subscribers];
        int[] counted = new int[subscribers];
        int[] counters = new int[subscribers];
        long[] countedSessions = new long[subscribers];
        int[] sessions = new int[subscribers];
        nat.sessions.forEachSession((protocol, vrf, insideAddress, insidePort, outsideAddress, outsidePort,
                                     remoteAddress, remotePort, tcpState, expiryTick, dynamic) ->
            sessions[insideAddress - FIRST_SOURCE]++);
        long[] key = new long[SessionKeys.KEY_WORDS];
        for (int entry = 0; entry < table.capacity(); entry++) {
            if (!table.isLive(entry) || !table.copyKey(entry, key)) {
                continue;
            }
            int subscriber = SessionKeys.sourceAddress(key[1]) - FIRST_SOURCE;
            long tag = SessionKeys.tag(key[0]);
            if (tag == SessionKeys.TAG_MAPPING_INSIDE) {
                mappings[subscriber]++;
            } else if (tag == SessionKeys.TAG_SUBSCRIBER) {
                long word = table.value(entry, MappingAllocator.MAPPING_WORD_REFERENCES);
                assertTrue(word != MappingAllocator.COUNTER_CONDEMNED, "phase " + phase + ": a condemned counter left");
                counters[subscriber]++;
                counted[subscriber] = MappingAllocator.counterPorts(word);
                countedSessions[subscriber] = table.value(entry, MappingAllocator.COUNTER_WORD_SESSIONS);
            }
        }
        for (int subscriber = 0; subscriber < subscribers; subscriber++) {
            assertEquals(mappings[subscriber] > 0 ? 1 : 0, counters[subscriber],
                "phase " + phase + ": counters of subscriber " + subscriber);
            assertEquals(mappings[subscriber], counted[subscriber],
                "phase " + phase + ": ports counted for subscriber " + subscriber);
            assertEquals(sessions[subscriber], countedSessions[subscriber],
                "phase " + phase + ": sessions counted for subscriber " + subscriber);
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
