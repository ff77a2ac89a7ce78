package io.softgate.nat.stage;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.StageHarness;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.testing.NatFixture;
import java.util.List;

/**
 * Arbitrary bytes through both NAT stages, with arbitrary offsets, VRFs and flags: no exception
 * may escape, and every packet must be forwarded or dropped exactly once (the harness checks).
 * Regression mode runs the checked-in inputs under plain {@code mvn test}; {@code JAZZER_FUZZ=1}
 * fuzzes.
 */
class NatStagesFuzzTest {
    private static final NatFixture NAT = new NatFixture(NatSettings.defaults().withTcpMssClamp(1400),
        NatFixture.defaultRules(), 4096);

    @FuzzTest(maxDuration = "30s")
    void shouldNeverThrowOnArbitraryPackets(FuzzedDataProvider data) {
        boolean inbound = data.consumeBoolean();
        int vrf = data.consumeInt(-1, 3);
        int ipOffset = data.consumeInt(0, 64);
        int flags = data.consumeInt(0, 15) & ~PacketFlags.INNER_IPV6;
        long advanceNs = data.consumeLong(0, 400_000_000_000L);
        byte[] packet = data.consumeRemainingAsBytes();
        if (packet.length == 0 || packet.length > 1800) {
            return;
        }
        NAT.clock(NAT.nowNs() + advanceNs);
        StageHarness harness = inbound ? NAT.out2in : NAT.in2out;
        List<StageHarness.Outcome> outcomes = harness.runAll(List.of(packet, packet.clone()), slot -> {
            harness.batch().l3Offset[slot] = harness.batch().offset[slot] + ipOffset;
            harness.batch().vrf[slot] = vrf;
            harness.batch().flags[slot] = flags;
        });
        // Whatever came out goes the other way, as a reply or a hairpin would.
        StageHarness other = inbound ? NAT.in2out : NAT.out2in;
        other.run(outcomes.get(0).packet(), slot -> {
            other.batch().l3Offset[slot] = other.batch().offset[slot] + ipOffset;
            other.batch().vrf[slot] = vrf;
        });
        if ((advanceNs & 7) == 0) {
            NAT.sweep();
        }
    }
}
