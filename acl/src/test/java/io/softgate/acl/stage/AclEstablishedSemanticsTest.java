package io.softgate.acl.stage;

import static io.softgate.acl.stage.AclFixture.ether;
import static io.softgate.core.packet.TcpFlyweight.FLAG_ACK;
import static io.softgate.core.packet.TcpFlyweight.FLAG_RST;
import static io.softgate.core.packet.TcpFlyweight.FLAG_SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclProtocol;
import io.softgate.acl.model.AclRule;
import io.softgate.core.pipeline.StageHarness;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pins what acl/README.md says {@code established} does: it adds a return grant, it does not
 * narrow the rule's match or give it a direction, any permitted segment opens the return entry,
 * and the entry checks ACK/RST only (no sequence numbers).
 */
class AclEstablishedSemanticsTest {
    private static final String NEXT = "next";
    private static final String DROP = StageHarness.DROPPED;

    @Test
    void shouldOpenTheReturnEntryOnAnyPermittedSegmentAndCheckOnlyAckOrRst() {
        List<AclRule> rules = List.of(AclRule.builder("vms-out", AclFixture.VPC).priority(1).permit()
            .protocol(AclProtocol.TCP).srcPrefix("10.0.0.0/24").established(true).build());
        try (AclFixture fixture = new AclFixture(rules, AclAction.DENY)) {
            assertEquals(NEXT, fixture.run(ether().ipv4("10.0.0.30", "203.0.113.9").tcp(50000, 443)
                .tcpFlags(FLAG_ACK).build(), fixture.ipv4()), "a bare ACK from a VM is permitted");
            assertEquals(1, fixture.counter("flows-created"), "and opens the return entry");
            assertEquals(NEXT, fixture.run(ether().ipv4("203.0.113.9", "10.0.0.30").tcp(443, 50000)
                .tcpFlags(FLAG_ACK).tcpSequence(0x12345678, 0x0BADF00D).build(), fixture.ipv4()),
                "an ACK with arbitrary sequence numbers passes on it");
            assertEquals(NEXT, fixture.run(ether().ipv4("203.0.113.9", "10.0.0.30").tcp(443, 50000)
                .tcpFlags(FLAG_RST).build(), fixture.ipv4()), "so does a RST");
            assertEquals(DROP, fixture.run(ether().ipv4("203.0.113.9", "10.0.0.30").tcp(443, 50000)
                .tcpFlags(FLAG_SYN).build(), fixture.ipv4()), "a bare SYN is classified: default deny");
        }
    }

    @Test
    void shouldNotNarrowWhatTheRuleItselfPermits() {
        List<AclRule> rules = List.of(AclRule.builder("tcp-any", AclFixture.VPC).priority(1).permit()
            .protocol(AclProtocol.TCP).established(true).build());
        try (AclFixture fixture = new AclFixture(rules, AclAction.DENY)) {
            assertEquals(NEXT, fixture.run(ether().ipv4("198.51.100.7", "10.0.0.30").tcp(40000, 22)
                .tcpFlags(FLAG_SYN).build(), fixture.ipv4()),
                "a rule without prefixes has no direction: a SYN from outside matches it");
            assertEquals(1, fixture.counter("flows-created"), "and opens a return entry for the VM's reply");
        }
    }
}
