package io.softgate.acl.stage;

import static io.softgate.acl.stage.AclFixture.ether;
import static io.softgate.core.packet.TcpFlyweight.FLAG_ACK;
import static io.softgate.core.packet.TcpFlyweight.FLAG_SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclProtocol;
import io.softgate.acl.model.AclRule;
import io.softgate.core.pipeline.StageHarness;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Batch classification gives the verdicts of packet-by-packet processing, and an established
 * flow's return entry is inserted once and its expiry written only when due.
 */
class AclBatchAndRefreshTest {
    private static final List<AclRule> VMS_OUT = List.of(AclRule.builder("vms-out", AclFixture.VPC).priority(1)
        .permit().protocol(AclProtocol.TCP).srcPrefix("10.0.0.0/24").established(true).build());
    private static final byte[] SYN = ether().ipv4("10.0.0.30", "203.0.113.9").tcp(50000, 443)
        .tcpFlags(FLAG_SYN).build();
    private static final byte[] DATA = ether().ipv4("10.0.0.30", "203.0.113.9").tcp(50000, 443)
        .tcpFlags(FLAG_ACK).build();
    private static final byte[] REPLY = ether().ipv4("203.0.113.9", "10.0.0.30").tcp(443, 50000)
        .tcpFlags(FLAG_ACK).build();

    @Test
    void shouldPassAReplyThatFollowsItsFlowsFirstPacketInTheSameBatch() {
        try (AclFixture fixture = new AclFixture(VMS_OUT, AclAction.DENY)) {
            List<StageHarness.Outcome> outcomes = fixture.harness.runAll(List.of(SYN, REPLY), fixture.ipv4());
            assertEquals("next", outcomes.get(0).verdict());
            assertEquals("next", outcomes.get(1).verdict());
            assertEquals(1, fixture.counter("flows-created"));
            assertEquals(1, fixture.counter("return-passed"));
        }
    }

    @Test
    void shouldDropAReplyThatPrecedesItsFlowsFirstPacketInTheSameBatch() {
        try (AclFixture fixture = new AclFixture(VMS_OUT, AclAction.DENY)) {
            List<StageHarness.Outcome> outcomes = fixture.harness.runAll(List.of(REPLY, SYN), fixture.ipv4());
            assertEquals(StageHarness.DROPPED, outcomes.get(0).verdict());
            assertEquals("next", outcomes.get(1).verdict());
            assertEquals(1, fixture.counter("drop.default-denied"));
        }
    }

    @Test
    void shouldClassifyABatchLargerThanTheClassifyQueue() {
        try (AclFixture fixture = new AclFixture(VMS_OUT, AclAction.DENY)) {
            StageHarness harness = new StageHarness(
                new AclStageFactory(AclStageFactory.INGRESS, "next", fixture.runtime).create(1),
                fixture.publisher.current(), 2 * AclStage.CLASSIFY_BATCH + 3);
            harness.nowNs(1_000_000_000L);
            List<byte[]> packets = new ArrayList<>();
            for (int i = 0; i < 2 * AclStage.CLASSIFY_BATCH + 3; i++) {
                // Alternate permitted (from the VMs) and denied (from outside) packets.
                packets.add(i % 2 == 0
                    ? ether().ipv4("10.0.0.30", "203.0.113.9").tcp(10000 + i, 443).tcpFlags(FLAG_SYN).build()
                    : ether().ipv4("198.51.100.7", "10.0.0.30").tcp(10000 + i, 22).tcpFlags(FLAG_SYN).build());
            }
            List<StageHarness.Outcome> outcomes = harness.runAll(packets, AclFixture.ipv4(harness, AclFixture.VRF, 0));
            for (int i = 0; i < outcomes.size(); i++) {
                assertEquals(i % 2 == 0 ? "next" : StageHarness.DROPPED, outcomes.get(i).verdict(), "packet " + i);
            }
        }
    }

    @Test
    void shouldWriteAnEstablishedFlowsExpiryOnlyWhenItIsDue() {
        try (AclFixture fixture = new AclFixture(VMS_OUT, AclAction.DENY)) {
            long startNs = 1_000_000_000L;
            long timeoutNs = AclFlowTimeouts.defaults().forProtocol(6);
            long slackNs = timeoutNs >> AclStage.REFRESH_SLACK_SHIFT;
            assertEquals("next", fixture.run(SYN, fixture.ipv4()));
            int entry = returnEntry(fixture, startNs);
            assertEquals(startNs + timeoutNs, fixture.runtime.flows().expiresAtNs(entry));

            // Within the slack the flow's packets pass and leave the entry untouched.
            fixture.harness.nowNs(startNs + slackNs / 2);
            assertEquals("next", fixture.run(DATA, fixture.ipv4()));
            assertEquals("next", fixture.run(REPLY, fixture.ipv4()));
            assertEquals(startNs + timeoutNs, fixture.runtime.flows().expiresAtNs(entry));

            // Past it, the next packet moves the expiry to now + timeout.
            long laterNs = startNs + slackNs + 1;
            fixture.harness.nowNs(laterNs);
            assertEquals("next", fixture.run(DATA, fixture.ipv4()));
            assertEquals(laterNs + timeoutNs, fixture.runtime.flows().expiresAtNs(entry));
            long evenLaterNs = laterNs + 2 * slackNs;
            fixture.harness.nowNs(evenLaterNs);
            assertEquals("next", fixture.run(REPLY, fixture.ipv4()));
            assertEquals(evenLaterNs + timeoutNs, fixture.runtime.flows().expiresAtNs(entry));
            assertEquals(1, fixture.counter("flows-created"));
            assertEquals(1, fixture.runtime.flows().size());
        }
    }

    @Test
    void shouldCountAKnownFlowsForwardPacketsOnTheRuleThatAdmittedIt() {
        try (AclFixture fixture = new AclFixture(VMS_OUT, AclAction.DENY)) {
            assertEquals("next", fixture.run(SYN, fixture.ipv4()));
            List<StageHarness.Outcome> outcomes = fixture.harness.runAll(List.of(DATA, DATA), fixture.ipv4());
            assertEquals("next", outcomes.get(0).verdict());
            assertEquals("next", outcomes.get(1).verdict());
            assertEquals(3, fixture.runtime.counters().hits(fixture.tables, ruleId(fixture, "vms-out")));
            assertEquals(1, fixture.counter("flows-created"));
            assertEquals(1, fixture.runtime.flows().size());
        }
    }

    @Test
    void shouldPassAFlowsSecondPacketThatFollowsItsFirstInTheSameBatch() {
        try (AclFixture fixture = new AclFixture(VMS_OUT, AclAction.DENY)) {
            List<StageHarness.Outcome> outcomes = fixture.harness.runAll(List.of(SYN, DATA, REPLY), fixture.ipv4());
            assertEquals("next", outcomes.get(0).verdict());
            assertEquals("next", outcomes.get(1).verdict());
            assertEquals("next", outcomes.get(2).verdict());
            // Both forward packets and the reply (return traffic counts on the rule that admitted it).
            assertEquals(3, fixture.runtime.counters().hits(fixture.tables, ruleId(fixture, "vms-out")));
            assertEquals(1, fixture.counter("flows-created"));
            assertEquals(1, fixture.counter("return-passed"));
        }
    }

    @Test
    void shouldJudgeAKnownFlowsForwardPacketByTheNewRulesAfterAChange() {
        try (AclFixture fixture = new AclFixture(VMS_OUT, AclAction.DENY)) {
            assertEquals("next", fixture.run(SYN, fixture.ipv4()));
            fixture.publish(List.of(AclRule.builder("block-peer", AclFixture.VPC).priority(0).deny()
                .dstPrefix("203.0.113.9/32").build(), VMS_OUT.get(0)), AclAction.DENY);

            assertEquals(StageHarness.DROPPED, fixture.run(DATA, fixture.ipv4()));
            assertEquals(1, fixture.counter("drop.rule-denied"));
        }
    }

    private static int ruleId(AclFixture fixture, String rule) {
        for (int id = 0; id < fixture.tables.ruleCount(); id++) {
            if (fixture.tables.counterName(id).endsWith("/" + rule)) {
                return id;
            }
        }
        throw new AssertionError("no rule " + rule);
    }

    /** The index of the return entry (reply tuple) of the SYN's flow. */
    private static int returnEntry(AclFixture fixture, long nowNs) {
        long[] key = new long[AclRuntime.KEY_WORDS];
        key[0] = ((long) AclFixture.VRF << 41) | (6L << 32) | (443L << 16) | 50000;
        key[1] = 0xCB00_7109L << 32;
        key[3] = 0x0A00_001EL << 32;
        int entry = fixture.runtime.flows().lookup(key, nowNs);
        assertTrue(entry >= 0, "return entry present");
        return entry;
    }
}
