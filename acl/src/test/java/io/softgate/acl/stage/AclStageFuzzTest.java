package io.softgate.acl.stage;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclProtocol;
import io.softgate.acl.model.AclRule;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import java.util.List;

/**
 * Arbitrary bytes and arbitrary slot metadata through the ACL stage: no exception may escape,
 * and every packet must be forwarded or dropped exactly once (the harness checks). Regression
 * mode runs the checked-in inputs under plain {@code mvn test}; {@code JAZZER_FUZZ=1} fuzzes.
 */
class AclStageFuzzTest {
    private static final List<AclRule> RULES = List.of(
        AclRule.builder("vms-out", AclFixture.VPC).priority(1).permit().protocol(AclProtocol.TCP)
            .srcPrefix("10.0.0.0/8").established(true).build(),
        AclRule.builder("udp-reverse", AclFixture.VPC).priority(2).permit().protocol(AclProtocol.UDP)
            .dstPorts(1, 1000).reverse(true).build(),
        AclRule.builder("ping", AclFixture.VPC).priority(3).permit().protocol(AclProtocol.ICMP).icmpType(8)
            .reverse(true).build(),
        AclRule.builder("v6", AclFixture.VPC).priority(4).deny().srcPrefix("::/1").build());
    private static final AclFixture FIXTURE = new AclFixture(RULES, AclAction.DENY);

    @FuzzTest(maxDuration = "30s")
    void shouldForwardOrDropEveryArbitraryPacket(FuzzedDataProvider data) {
        int vrf = data.consumeInt(-2, 3);
        int flags = data.consumeInt() & (PacketFlags.INNER_IPV6 | PacketFlags.FRAGMENT
            | PacketFlags.NON_FIRST_FRAGMENT | PacketFlags.FROM_OUTSIDE);
        int l3Delta = data.consumeInt(-64, 128);
        int l4Delta = data.consumeInt(-64, 128);
        byte[] packet = data.consumeRemainingAsBytes();
        if (packet.length > 1500) {
            return;
        }
        PacketBatch batch = FIXTURE.harness.batch();
        FIXTURE.harness.run(packet, slot -> {
            batch.vrf[slot] = vrf;
            batch.flags[slot] = flags;
            batch.l3Offset[slot] = batch.offset[slot] + l3Delta;
            batch.l4Offset[slot] = l4Delta < 0 ? -1 : batch.offset[slot] + l3Delta + l4Delta;
        });
    }
}
