package io.softgate.nat.session;

import static io.softgate.nat.testing.NatFixture.BLUE_VRF;
import static io.softgate.nat.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.packet.IcmpFlyweight;
import io.softgate.core.pipeline.StageHarness;
import io.softgate.nat.config.NatAction;
import io.softgate.nat.config.NatRule;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.log.NatEventDrainer;
import io.softgate.nat.testing.Frame;
import io.softgate.nat.testing.NatFixture;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Paired pooling, random ports, port blocks, per-subscriber limits, resource exhaustion and the event log. */
class NatPortAllocationTest {
    private static final String SERVER = "192.0.2.1";

    private static List<NatRule> poolRules() {
        return List.of(NatRule.builder("blue-pool", NatAction.SNAT, "blue").source("10.0.0.0/16", null)
            .snatToPool("198.51.100.16/30").build());
    }

    @Test
    void shouldGiveEverySessionOfOneSubscriberTheSamePoolAddress() {
        // RFC 4787 REQ-2: paired IP address pooling.
        try (NatFixture nat = new NatFixture(NatSettings.defaults(), poolRules(), 4096)) {
            Set<String> addresses = new HashSet<>();
            for (int port = 5000; port < 5040; port++) {
                addresses.add(new Frame(nat.fromVpc(BLUE_VRF, udp("10.0.3.7", port, SERVER, 53)).packet()).source());
            }
            assertEquals(1, addresses.size(), addresses.toString());
        }
    }

    @Test
    void shouldSpreadSubscribersOverThePool() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults(), poolRules(), 4096)) {
            Set<String> addresses = new HashSet<>();
            for (int host = 1; host <= 64; host++) {
                addresses.add(new Frame(nat.fromVpc(BLUE_VRF, udp("10.0.1." + host, 5000, SERVER, 53)).packet())
                    .source());
            }
            assertEquals(4, addresses.size(), addresses.toString());
        }
    }

    @Test
    void shouldChoosePortsAtRandomWithinTheRange() {
        // RFC 6056 §3.3.1: not sequential, inside the configured range.
        try (NatFixture nat = new NatFixture(NatSettings.defaults().withPortRange(20000, 29999))) {
            List<Integer> ports = new ArrayList<>();
            for (int port = 5000; port < 5020; port++) {
                ports.add(new Frame(nat.fromVpc(BLUE_VRF, udp("10.0.0.5", port, SERVER, 53)).packet()).sourcePort());
            }
            int ascendingSteps = 0;
            for (int i = 1; i < ports.size(); i++) {
                assertTrue(ports.get(i) >= 20000 && ports.get(i) <= 29999, "in range: " + ports.get(i));
                if (ports.get(i) == ports.get(i - 1) + 1) {
                    ascendingSteps++;
                }
            }
            assertTrue(ascendingSteps < 5, "ports look sequential: " + ports);
            assertEquals(ports.size(), new HashSet<>(ports).size(), "no port given twice");
        }
    }

    @Test
    void shouldRefuseNewPortsBeyondThePerSubscriberLimitAndServeOthers() {
        // RFC 6888: per-subscriber port limit; another subscriber is unaffected.
        try (NatFixture nat = new NatFixture(NatSettings.defaults().withPortsPerSubscriberLimit(2))) {
            nat.fromVpc(BLUE_VRF, udp("10.0.0.5", 5000, SERVER, 53));
            nat.fromVpc(BLUE_VRF, udp("10.0.0.5", 5001, SERVER, 53));
            StageHarness.Outcome third = nat.fromVpc(BLUE_VRF, udp("10.0.0.5", 5002, SERVER, 53));
            assertEquals(IcmpFlyweight.V4_DESTINATION_UNREACHABLE, new Frame(third.packet()).icmpType());
            assertEquals(IcmpFlyweight.V4_CODE_ADMIN_PROHIBITED, new Frame(third.packet()).icmpCode());
            assertEquals(1, nat.in2out.counter("nat44-in2out.refused-with-icmp"));
            // Answered, so counted by its reason as an event, not as a drop.
            assertEquals(1, nat.in2out.counter("nat44-in2out.refused-with-icmp.subscriber-port-limit"));
            assertEquals(0, nat.in2out.counter("nat44-in2out.drop.subscriber-port-limit"));
            StageHarness.Outcome other = nat.fromVpc(BLUE_VRF, udp("10.0.0.6", 5000, SERVER, 53));
            assertEquals(NatFixture.BLUE_SNAT, new Frame(other.packet()).source());
        }
    }

    @Test
    void shouldRemoveASubscribersPortCounterWhenItsLastMappingIsDeleted() {
        // RFC 6888 per-subscriber limit: the counter lives as long as the subscriber holds a port;
        // 200 inside addresses that came and went leave nothing behind in the mapping table.
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            for (int host = 10; host < 210; host++) {
                assertEquals("route", nat.fromVpc(BLUE_VRF, udp("10.0.0." + host, 5000, SERVER, 53)).verdict());
            }
            assertEquals(200, entriesTagged(nat, SessionKeys.TAG_SUBSCRIBER), "a counter per subscriber");
            nat.advanceSeconds(302); // past the UDP timeout
            assertEquals(200, nat.sweep());
            assertEquals(0, entriesTagged(nat, SessionKeys.TAG_MAPPING_INSIDE), "mappings deleted");
            assertEquals(0, entriesTagged(nat, SessionKeys.TAG_SUBSCRIBER), "subscriber counters removed");
            assertEquals(0, nat.sessions.mappingTable().size(), "mapping table empty");
        }
    }

    @Test
    void shouldKeepAdmittingNewSubscribersWhileOthersComeAndGo() {
        // The slow leak: a small mapping table (256 slots) and 40 rounds of 20 new inside addresses
        // whose sessions all expire; a counter left per subscriber would fill it (mapping-table-full).
        List<NatRule> rules = List.of(NatRule.builder("blue-out", NatAction.SNAT, "blue").source("10.0.0.0/16", null)
            .snatToIP(NatFixture.BLUE_SNAT).build());
        try (NatFixture nat = new NatFixture(NatSettings.defaults(), rules, 64)) {
            for (int round = 0; round < 40; round++) {
                for (int host = 0; host < 20; host++) {
                    String source = "10.0." + (round / 10 + 1) + "." + (round % 10 * 20 + host + 1);
                    assertEquals(NatFixture.BLUE_SNAT, new Frame(nat.fromVpc(BLUE_VRF, udp(source, 5000, SERVER, 53))
                        .packet()).source(), "round " + round + " subscriber " + source);
                }
                nat.advanceSeconds(302);
                assertEquals(20, nat.sweep());
            }
            assertEquals(0, nat.in2out.counter("nat44-in2out.refused-with-icmp"));
            assertEquals(0, nat.sessions.mappingTable().size());
        }
    }

    @Test
    void shouldRemoveACounterThatARefusedCreationLeftAtZero() {
        // Ports exhausted: the new subscriber's counter is created, then its port given back; the
        // sweeper removes the zero counter it finds.
        try (NatFixture nat = new NatFixture(NatSettings.defaults().withPortRange(40000, 40000)
            .withIcmpErrorsPerSecond(0))) {
            nat.fromVpc(BLUE_VRF, udp("10.0.0.5", 5000, SERVER, 53));
            assertEquals(StageHarness.DROPPED, nat.fromVpc(BLUE_VRF, udp("10.0.0.6", 5000, SERVER, 53)).verdict());
            assertEquals(1, nat.in2out.counter("nat44-in2out.drop.ports-exhausted"));
            assertEquals(2, entriesTagged(nat, SessionKeys.TAG_SUBSCRIBER));
            nat.sweep();
            assertEquals(1, entriesTagged(nat, SessionKeys.TAG_SUBSCRIBER), "only the counter of 10.0.0.5's port");
            assertEquals(1, subscriberPorts(nat, "10.0.0.5"));
        }
    }

    @Test
    void shouldRefuseNewSessionsBeyondThePerSubscriberSessionLimitAndServeOthers() {
        // RFC 6888 REQ-5: one inside address, one port (EIM), many remotes: beyond its session
        // limit its new flows are refused like the other resource refusals (ICMP code 13, counted).
        try (NatFixture nat = new NatFixture(NatSettings.defaults().withSessionsPerSubscriberLimit(4))) {
            for (int server = 1; server <= 4; server++) {
                assertEquals(NatFixture.BLUE_SNAT, new Frame(nat.fromVpc(BLUE_VRF, udp("10.0.0.5", 5000,
                    "192.0.2." + server, 53)).packet()).source());
            }
            StageHarness.Outcome fifth = nat.fromVpc(BLUE_VRF, udp("10.0.0.5", 5000, "192.0.2.5", 53));
            assertEquals(IcmpFlyweight.V4_DESTINATION_UNREACHABLE, new Frame(fifth.packet()).icmpType());
            assertEquals(IcmpFlyweight.V4_CODE_ADMIN_PROHIBITED, new Frame(fifth.packet()).icmpCode());
            assertEquals(1, nat.in2out.counter("nat44-in2out.refused-with-icmp.subscriber-session-limit"));
            assertEquals(4, nat.sessions.sessionCount());
            // Its existing sessions keep working; another subscriber is unaffected.
            assertEquals(NatFixture.BLUE_SNAT, new Frame(nat.fromVpc(BLUE_VRF, udp("10.0.0.5", 5000, "192.0.2.1", 53))
                .packet()).source());
            assertEquals(NatFixture.BLUE_SNAT, new Frame(nat.fromVpc(BLUE_VRF, udp("10.0.0.6", 5000, "192.0.2.5", 53))
                .packet()).source());
            assertEquals(4, subscriberSessions(nat, "10.0.0.5"));
            // Sessions that end give their places back.
            nat.advanceSeconds(302);
            assertEquals(5, nat.sweep());
            assertEquals(-1, subscriberSessions(nat, "10.0.0.5"), "counter removed with the last mapping");
            assertEquals(NatFixture.BLUE_SNAT, new Frame(nat.fromVpc(BLUE_VRF, udp("10.0.0.5", 5000, "192.0.2.5", 53))
                .packet()).source());
        }
    }

    @Test
    void shouldCountInboundSessionsOnASubscribersMappingAgainstItsSessionLimit() {
        // Endpoint-independent filtering lets any remote reach the mapping: those sessions are the
        // subscriber's state too. The refusal is answered to the remote that opened it.
        try (NatFixture nat = new NatFixture(NatSettings.defaults().withSessionsPerSubscriberLimit(2))) {
            int port = new Frame(nat.fromVpc(BLUE_VRF, udp("10.0.0.5", 5000, SERVER, 53)).packet()).sourcePort();
            assertEquals("route", nat.fromInternet(udp("192.0.2.50", 4000, NatFixture.BLUE_SNAT, port)).verdict());
            StageHarness.Outcome third = nat.fromInternet(udp("192.0.2.51", 4000, NatFixture.BLUE_SNAT, port));
            Frame answer = new Frame(third.packet());
            assertEquals(IcmpFlyweight.V4_DESTINATION_UNREACHABLE, answer.icmpType());
            assertEquals("192.0.2.51", answer.destination());
            assertEquals(1, nat.out2in.counter("nat44-out2in.refused-with-icmp.subscriber-session-limit"));
            assertEquals(2, subscriberSessions(nat, "10.0.0.5"));
        }
    }

    @Test
    void shouldLimitSessionsPerSubscriberByDefaultToASixteenthOfTheTable() {
        // The default: maxSessions / 16 (here 4096 / 16 = 256), never below the port limit (8 here).
        NatSettings settings = NatSettings.defaults().withPortsPerSubscriberLimit(8).withIcmpErrorsPerSecond(0);
        assertEquals(256, settings.sessionsPerSubscriber(4096));
        assertEquals(65536, NatSettings.defaults().sessionsPerSubscriber(1 << 20));
        assertEquals(16384, NatSettings.defaults().sessionsPerSubscriber(1024), "never below the port limit");
        assertEquals(7, NatSettings.defaults().withSessionsPerSubscriberLimit(7).sessionsPerSubscriber(1 << 20));
        try (NatFixture nat = new NatFixture(settings)) {
            for (int server = 0; server < 300; server++) {
                nat.fromVpc(BLUE_VRF, udp("10.0.0.5", 5000, "192.0." + (2 + server / 250) + "." + (server % 250 + 1), 53));
            }
            assertEquals(256, nat.sessions.sessionCount());
            assertEquals(44, nat.in2out.counter("nat44-in2out.drop.subscriber-session-limit"));
            assertEquals("route", nat.fromVpc(BLUE_VRF, udp("10.0.0.6", 5000, SERVER, 53)).verdict());
        }
    }

    @Test
    void shouldCountPortsAndSessionsOfPortBlockSubscribersAndRemoveTheirCounters() {
        // Port blocks limit ports by whole blocks; the counter still counts sessions (RFC 6888 REQ-5)
        // and goes away with the subscriber's last mapping.
        NatSettings settings = NatSettings.defaults().withPortBlocks(16).withPortRange(1024, 2047)
            .withSessionsPerSubscriberLimit(3).withIcmpErrorsPerSecond(0);
        try (NatFixture nat = new NatFixture(settings)) {
            for (int port = 5000; port < 5004; port++) {
                nat.fromVpc(BLUE_VRF, udp("10.0.0.5", port, SERVER, 53));
            }
            assertEquals(3, nat.sessions.sessionCount());
            assertEquals(1, nat.in2out.counter("nat44-in2out.drop.subscriber-session-limit"));
            assertEquals(3, subscriberSessions(nat, "10.0.0.5"));
            nat.advanceSeconds(302);
            assertEquals(3, nat.sweep());
            assertEquals(0, nat.sessions.mappingTable().size(), "mappings and the counter removed");
        }
    }

    /** Sessions the UDP counter of blue subscriber {@code address} counts (-1: no counter). */
    static long subscriberSessions(NatFixture nat, String address) {
        long[] key = new long[SessionKeys.KEY_WORDS];
        MappingAllocator.subscriberKey(key, ProtocolClass.UDP, BLUE_VRF, io.softgate.core.packet.Ipv4Flyweight.parse(address));
        int entry = nat.sessions.mappingTable().lookup(key, nat.nowNs());
        return entry < 0 ? -1 : nat.sessions.mappingTable().value(entry, MappingAllocator.COUNTER_WORD_SESSIONS);
    }

    /** Live mapping-table entries with key tag {@code tag}. */
    static int entriesTagged(NatFixture nat, long tag) {
        io.softgate.core.flow.FlowTable table = nat.sessions.mappingTable();
        long[] key = new long[SessionKeys.KEY_WORDS];
        int count = 0;
        for (int entry = 0; entry < table.capacity(); entry++) {
            if (table.isLive(entry) && table.copyKey(entry, key) && SessionKeys.tag(key[0]) == tag) {
                count++;
            }
        }
        return count;
    }

    /** Ports the UDP counter of blue subscriber {@code address} counts (-1: no counter). */
    static int subscriberPorts(NatFixture nat, String address) {
        long[] key = new long[SessionKeys.KEY_WORDS];
        MappingAllocator.subscriberKey(key, ProtocolClass.UDP, BLUE_VRF, io.softgate.core.packet.Ipv4Flyweight.parse(address));
        int entry = nat.sessions.mappingTable().lookup(key, nat.nowNs());
        return entry < 0 ? -1 : MappingAllocator.counterPorts(nat.sessions.mappingTable().value(entry,
            MappingAllocator.MAPPING_WORD_REFERENCES));
    }

    @Test
    void shouldDropAndCountWhenIcmpAnswersAreRateLimited() {
        NatSettings settings = NatSettings.defaults().withPortRange(40000, 40000);
        settings = settings.withIcmpErrorsPerSecond(1);
        try (NatFixture nat = new NatFixture(settings)) {
            nat.fromVpc(BLUE_VRF, udp("10.0.0.5", 5000, SERVER, 53));
            assertEquals("route", nat.fromVpc(BLUE_VRF, udp("10.0.0.6", 5000, SERVER, 53)).verdict());
            assertEquals(StageHarness.DROPPED, nat.fromVpc(BLUE_VRF, udp("10.0.0.7", 5000, SERVER, 53)).verdict());
            assertEquals(1, nat.in2out.counter("nat44-in2out.drop.ports-exhausted"));
            assertEquals(1, nat.in2out.counter("nat44-in2out.refused-with-icmp.ports-exhausted"), "the first refusal, answered");
        }
    }

    @Test
    void shouldNeverEvictExistingSessionsWhenTheTableIsFull() {
        // DESIGN §8: when resources run out new flows are refused, existing ones keep working.
        try (NatFixture nat = new NatFixture(NatSettings.defaults(), NatFixture.defaultRules(), 16)) {
            List<Integer> opened = new ArrayList<>();
            int refused = 0;
            for (int port = 1000; port < 1400; port++) {
                StageHarness.Outcome out = nat.fromVpc(BLUE_VRF, udp("10.0.0.5", port, SERVER, 53));
                Frame frame = new Frame(out.packet());
                if ("route".equals(out.verdict()) && frame.source().equals(NatFixture.BLUE_SNAT)) {
                    opened.add(port);
                } else {
                    refused++;
                }
            }
            assertTrue(refused > 0, "the small table must fill up");
            assertTrue(nat.in2out.counter("nat44-in2out.refused-with-icmp")
                + nat.in2out.counter("nat44-in2out.drop.session-table-full") > 0);
            for (int port : opened) {
                Frame again = new Frame(nat.fromVpc(BLUE_VRF, udp("10.0.0.5", port, SERVER, 53)).packet());
                assertEquals(NatFixture.BLUE_SNAT, again.source(), "session of port " + port + " still there");
            }
        }
    }

    @Test
    void shouldAllocatePortBlocksPerSubscriberAndLogBlocksNotMappings() {
        // RFC 6888 port blocks: one log line per block; ports come from the subscriber's block.
        NatSettings settings = NatSettings.defaults().withPortBlocks(16).withPortRange(1024, 2047);
        try (NatFixture nat = new NatFixture(settings)) {
            Set<Integer> blocks = new HashSet<>();
            for (int port = 5000; port < 5020; port++) {
                int external = new Frame(nat.fromVpc(BLUE_VRF, udp("10.0.0.5", port, SERVER, 53)).packet())
                    .sourcePort();
                blocks.add((external - 1024) / 16);
            }
            assertEquals(2, blocks.size(), "20 ports need two blocks of 16");
            List<String> lines = drain(nat);
            assertEquals(2, lines.size(), lines.toString());
            for (String line : lines) {
                assertTrue(line.matches("\\S+Z BLOCK-CREATE proto=udp vpc=blue inside=10\\.0\\.0\\.5 "
                    + "outside=198\\.51\\.100\\.1:\\d+-\\d+"), line);
            }
        }
    }

    @Test
    void shouldLogMappingCreateAndDeleteWithoutTheDestination() {
        // DESIGN §8 / issue 4: abuse-desk log, never the destination.
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            int port = new Frame(nat.fromVpc(BLUE_VRF, udp("10.0.0.5", 5000, SERVER, 53)).packet()).sourcePort();
            nat.advanceSeconds(302); // past the 300 s timeout and the deadline's refresh slack (about 1 s)
            nat.sweep();
            List<String> lines = drain(nat);
            assertEquals(2, lines.size(), lines.toString());
            assertTrue(lines.get(0).endsWith(" MAPPING-CREATE proto=udp vpc=blue inside=10.0.0.5:5000 outside="
                + NatFixture.BLUE_SNAT + ":" + port), lines.get(0));
            assertTrue(lines.get(1).endsWith(" MAPPING-DELETE proto=udp vpc=blue inside=10.0.0.5:5000 outside="
                + NatFixture.BLUE_SNAT + ":" + port), lines.get(1));
            for (String line : lines) {
                assertTrue(!line.contains(SERVER) && !line.contains(":53 ") && !line.endsWith(":53"), line);
            }
        }
    }

    @Test
    void shouldCountRecordsLostWhenTheLogRingIsFull() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults(), NatFixture.defaultRules(), 8192)) {
            for (int port = 1000; port < 4000; port++) {
                nat.fromVpc(BLUE_VRF, udp("10.0.0.5", port, SERVER, 53));
            }
            assertTrue(nat.eventLog.droppedRecords() > 0, "a 64 KiB ring cannot hold 3000 records");
        }
    }

    private static List<String> drain(NatFixture nat) {
        List<String> lines = new ArrayList<>();
        new NatEventDrainer(nat.eventLog, nat.tables::vpcName, lines::add, System::nanoTime,
            () -> System.currentTimeMillis() * 1_000_000L).drain(1000);
        return lines;
    }
}
