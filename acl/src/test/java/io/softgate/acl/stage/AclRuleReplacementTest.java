package io.softgate.acl.stage;

import static io.softgate.acl.stage.AclFixture.ether;
import static io.softgate.core.packet.TcpFlyweight.FLAG_ACK;
import static io.softgate.core.packet.TcpFlyweight.FLAG_SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclProtocol;
import io.softgate.acl.model.AclRule;
import io.softgate.core.pipeline.StageHarness;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Replacing the rule set applies at once and re-judges flows that already have state. */
class AclRuleReplacementTest {
    private static final byte[] VM_SYN = ether().ipv4("10.0.0.30", "203.0.113.9").tcp(50000, 443)
        .tcpFlags(FLAG_SYN).build();
    private static final byte[] SERVER_REPLY = ether().ipv4("203.0.113.9", "10.0.0.30").tcp(443, 50000)
        .tcpFlags(FLAG_ACK).build();

    private static AclRule vmsOut(String name, boolean established) {
        return AclRule.builder(name, AclFixture.VPC).priority(10).permit().protocol(AclProtocol.TCP)
            .srcPrefix("10.0.0.0/24").established(established).build();
    }

    @Test
    void shouldCutAnEstablishedFlowWhenTheNewRulesDenyIt() {
        try (AclFixture fixture = new AclFixture(List.of(vmsOut("vms-out", true)), AclAction.DENY)) {
            assertEquals("next", fixture.run(VM_SYN, fixture.ipv4()));
            assertEquals("next", fixture.run(SERVER_REPLY, fixture.ipv4()));

            fixture.publish(List.of(AclRule.builder("block-peer", AclFixture.VPC).priority(5).deny()
                .dstPrefix("203.0.113.9/32").build(), vmsOut("vms-out", true)), AclAction.DENY);

            assertEquals(StageHarness.DROPPED, fixture.run(SERVER_REPLY, fixture.ipv4()));
            assertEquals(1, fixture.counter("drop.flow-cut-by-new-rules"));
            assertEquals(StageHarness.DROPPED, fixture.run(VM_SYN, fixture.ipv4()));
            assertEquals(1, fixture.counter("drop.rule-denied"));
            // The entry is gone: a later reply is judged by the rules like any stranger's packet.
            assertEquals(StageHarness.DROPPED, fixture.run(SERVER_REPLY, fixture.ipv4()));
            assertEquals(1, fixture.counter("drop.default-denied"));
        }
    }

    @Test
    void shouldCutTheReturnTrafficWhenTheNewRuleNoLongerGrantsIt() {
        try (AclFixture fixture = new AclFixture(List.of(vmsOut("vms-out", true)), AclAction.DENY)) {
            assertEquals("next", fixture.run(VM_SYN, fixture.ipv4()));

            fixture.publish(List.of(vmsOut("vms-out", false)), AclAction.DENY);

            assertEquals(StageHarness.DROPPED, fixture.run(SERVER_REPLY, fixture.ipv4()));
            assertEquals(1, fixture.counter("drop.flow-cut-by-new-rules"));
            assertEquals(1, fixture.counter("flows-rechecked"), "the re-check that cut it counts too");
        }
    }

    @Test
    void shouldKeepAFlowTheNewRulesStillPermit() {
        try (AclFixture fixture = new AclFixture(List.of(vmsOut("vms-out", true)), AclAction.DENY)) {
            assertEquals("next", fixture.run(VM_SYN, fixture.ipv4()));

            fixture.publish(List.of(vmsOut("vms-out-renamed", true)), AclAction.DENY);

            assertEquals("next", fixture.run(SERVER_REPLY, fixture.ipv4()));
            assertEquals(1, fixture.counter("flows-rechecked"));
            // Re-checked once: the entry now carries the new generation.
            assertEquals("next", fixture.run(SERVER_REPLY, fixture.ipv4()));
            assertEquals(1, fixture.counter("flows-rechecked"));
        }
    }

    @Test
    void shouldApplyANewDefaultPolicyToTheNextPacket() {
        byte[] stranger = ether().ipv4("198.51.100.7", "10.0.0.20").udp(40002, 9999).build();
        try (AclFixture fixture = new AclFixture(List.of(), AclAction.DENY)) {
            assertEquals(StageHarness.DROPPED, fixture.run(stranger, fixture.ipv4()));
            fixture.publish(List.of(), AclAction.PERMIT);
            assertEquals("next", fixture.run(stranger, fixture.ipv4()));
        }
    }
}
