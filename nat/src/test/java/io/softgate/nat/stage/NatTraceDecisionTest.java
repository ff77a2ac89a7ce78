package io.softgate.nat.stage;

import static io.softgate.nat.testing.NatFixture.BLUE_FORWARD;
import static io.softgate.nat.testing.NatFixture.BLUE_FORWARD_VM;
import static io.softgate.nat.testing.NatFixture.BLUE_SNAT;
import static io.softgate.nat.testing.NatFixture.BLUE_VRF;
import static io.softgate.nat.testing.NatFixture.PUBLIC_VRF;
import static io.softgate.nat.testing.Packets.tcp;
import static io.softgate.nat.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.TcpFlyweight;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.PacketTracer;
import io.softgate.core.pipeline.StageHarness;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.testing.Frame;
import io.softgate.nat.testing.NatFixture;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Packet trace (issue 7): a traced packet's NAT step names what the NAT decided — the session hit
 * or created (rule, translated side before and after), why it passed untranslated, or why it was
 * dropped — and untraced packets in the same traced batch get no decision.
 */
class NatTraceDecisionTest {
    private static final String SERVER = "192.0.2.1";

    private static StageHarness.Outcome traced(StageHarness harness, int vrf, boolean fromOutside, byte[] frame) {
        harness.traced(true);
        try {
            return harness.run(frame, slot -> {
                harness.batch().l3Offset[slot] = harness.batch().offset[slot] + 14;
                harness.batch().vrf[slot] = vrf;
                harness.batch().flags[slot] = PacketFlags.TRACE | (fromOutside ? PacketFlags.FROM_OUTSIDE : 0);
            });
        } finally {
            harness.traced(false);
        }
    }

    private static String described(NatFixture nat, StageHarness.Outcome outcome) {
        return NatTraceDecision.describe(outcome.decision(), outcome.detail(), nat.tables);
    }

    @Test
    void shouldNameTheRuleAndMappingWhenATracedPacketCreatesItsSession() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            StageHarness.Outcome outcome = traced(nat.in2out, BLUE_VRF, false, udp("10.0.0.5", 4000, SERVER, 53));
            int mappedPort = new Frame(outcome.packet()).sourcePort();

            assertEquals(NatTraceDecision.SESSION_CREATED, NatTraceDecision.kind(outcome.decision()));
            assertEquals("session created by rule blue/blue-out: source 10.0.0.5:4000 -> " + BLUE_SNAT + ":"
                + mappedPort, described(nat, outcome));
        }
    }

    @Test
    void shouldNameTheSessionWhenATracedPacketHitsAnEstablishedSession() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            int mappedPort = new Frame(nat.fromVpc(BLUE_VRF, udp("10.0.0.5", 4000, SERVER, 53)).packet()).sourcePort();

            StageHarness.Outcome outcome = traced(nat.in2out, BLUE_VRF, false, udp("10.0.0.5", 4000, SERVER, 53));

            assertEquals("session hit: source 10.0.0.5:4000 -> " + BLUE_SNAT + ":" + mappedPort,
                described(nat, outcome));
            assertEquals(Ipv4Flyweight.parse("10.0.0.5"), NatTraceDecision.oldAddress(outcome.detail()));
            assertEquals(Ipv4Flyweight.parse(BLUE_SNAT), NatTraceDecision.newAddress(outcome.detail()));
        }
    }

    @Test
    void shouldNameTheInboundSessionAndItsTcpStateForATracedReply() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            int mappedPort = new Frame(nat.fromVpc(BLUE_VRF, tcp("10.0.0.5", 4000, SERVER, 443,
                TcpFlyweight.FLAG_SYN)).packet()).sourcePort();
            nat.fromInternet(tcp(SERVER, 443, BLUE_SNAT, mappedPort, TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_ACK));

            StageHarness.Outcome outcome = traced(nat.out2in, PUBLIC_VRF, true,
                tcp(SERVER, 443, BLUE_SNAT, mappedPort, TcpFlyweight.FLAG_ACK));

            assertEquals("session hit: destination " + BLUE_SNAT + ":" + mappedPort + " -> 10.0.0.5:4000 (tcp state "
                + io.softgate.nat.session.TcpStates.ESTABLISHED + ")", described(nat, outcome));
        }
    }

    @Test
    void shouldNameThePortForwardRuleWhenATracedInboundPacketCreatesASession() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            StageHarness.Outcome outcome = traced(nat.out2in, PUBLIC_VRF, true,
                tcp(SERVER, 5555, BLUE_FORWARD, 8080, TcpFlyweight.FLAG_SYN));

            assertEquals("session created by rule blue/blue-web: destination " + BLUE_FORWARD + ":8080 -> "
                + BLUE_FORWARD_VM + ":80", described(nat, outcome));
        }
    }

    @Test
    void shouldNameTheExclusionRuleWhenATracedPacketIsNotTranslated() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            StageHarness.Outcome outcome = traced(nat.in2out, BLUE_VRF, false, udp("10.0.0.5", 4000, "10.1.2.3", 53));

            assertEquals("route", outcome.verdict());
            assertEquals("not translated: exclusion rule blue/blue-peering", described(nat, outcome));
        }
    }

    @Test
    void shouldSayATracedLaterFragmentPassedBecauseItsFirstFragmentDid() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            nat.fromVpc(BLUE_VRF, io.softgate.nat.testing.Packets.ip("10.0.0.5", "10.1.2.3").identification(0x1111)
                .fragment(true, 0).udp(4000, 53).payload(24).build());
            StageHarness.Outcome outcome = traced(nat.in2out, BLUE_VRF, false,
                io.softgate.nat.testing.Packets.ip("10.0.0.5", "10.1.2.3").identification(0x1111).fragment(false, 32)
                    .rawProtocol(17).payload(16).build());

            assertEquals("route", outcome.verdict());
            assertEquals("not translated: its first fragment was not", described(nat, outcome));
        }
    }

    @Test
    void shouldNameTheDropReasonWhenATracedInboundPacketHasNoMapping() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            StageHarness.Outcome outcome = traced(nat.out2in, PUBLIC_VRF, true, udp(SERVER, 53, BLUE_SNAT, 40000));

            assertEquals(StageHarness.DROPPED, outcome.verdict());
            assertEquals("dropped: " + NatDropReason.NO_MAPPING.label(), described(nat, outcome));
        }
    }

    @Test
    void shouldNameTheRefusalWhenATracedPacketFindsThePortsExhausted() {
        NatSettings settings = NatSettings.defaults().withPortsPerSubscriberLimit(1);
        try (NatFixture nat = new NatFixture(settings)) {
            nat.fromVpc(BLUE_VRF, udp("10.0.0.5", 4000, SERVER, 53));

            StageHarness.Outcome outcome = traced(nat.in2out, BLUE_VRF, false, udp("10.0.0.5", 4001, SERVER, 53));

            assertEquals("refused (" + NatDropReason.SUBSCRIBER_PORT_LIMIT.label()
                + "), answered with ICMP unreachable code 13", described(nat, outcome));
        }
    }

    @Test
    void shouldRecordNoDecisionForAnUntracedPacketOfATracedBatch() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            nat.fromVpc(BLUE_VRF, udp("10.0.0.5", 4000, SERVER, 53));
            StageHarness harness = nat.in2out;
            harness.traced(true);
            List<StageHarness.Outcome> outcomes = harness.runAll(List.of(udp("10.0.0.5", 4000, SERVER, 53),
                udp("10.0.0.6", 4000, SERVER, 53)), slot -> {
                    harness.batch().l3Offset[slot] = harness.batch().offset[slot] + 14;
                    harness.batch().vrf[slot] = BLUE_VRF;
                    harness.batch().flags[slot] = slot == 1 ? PacketFlags.TRACE : 0;
                });
            harness.traced(false);

            assertEquals(PacketTracer.NO_DECISION, outcomes.get(0).decision());
            assertEquals(NatTraceDecision.SESSION_CREATED, NatTraceDecision.kind(outcomes.get(1).decision()));
        }
    }

    @Test
    void shouldRoundTripEveryFieldOfTheDecisionWords() {
        long decision = NatTraceDecision.decision(NatTraceDecision.SESSION_CREATED, true, (1 << 27) - 1, 65535, 1);
        long detail = NatTraceDecision.detail(0xC0000201, 0x0A000005);

        assertEquals(NatTraceDecision.SESSION_CREATED, NatTraceDecision.kind(decision));
        assertEquals(true, NatTraceDecision.destination(decision));
        assertEquals((1 << 27) - 1, NatTraceDecision.argument(decision));
        assertEquals(65535, NatTraceDecision.oldPort(decision));
        assertEquals(1, NatTraceDecision.newPort(decision));
        assertEquals(0xC0000201, NatTraceDecision.oldAddress(detail));
        assertEquals(0x0A000005, NatTraceDecision.newAddress(detail));
    }
}
