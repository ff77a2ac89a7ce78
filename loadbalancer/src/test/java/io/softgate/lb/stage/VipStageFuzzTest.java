package io.softgate.lb.stage;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.StageHarness;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.lb.compile.BackendHealth;
import io.softgate.lb.compile.LoadBalancerCompiler;
import io.softgate.lb.compile.TestVrfs;
import java.util.List;

/**
 * Arbitrary inner packets through both LB stages, with the slot metadata a decap stage could
 * leave (any VRF, flags, IP offset). Regression mode runs the checked-in inputs under plain
 * {@code mvn test}; {@code JAZZER_FUZZ=1} fuzzes. No input may throw, and the harness checks
 * that every packet is forwarded or dropped exactly once.
 */
class VipStageFuzzTest {
    private static final ConnectionTracker TRACKER = new ConnectionTracker(1 << 12);
    private static final ConfigSnapshot SNAPSHOT = LbFixtures.snapshot(
        LbFixtures.compile(new LoadBalancerCompiler(new TestVrfs()), LbFixtures.referenceConfig(), BackendHealth.ALL_HEALTHY));
    private static final StageHarness VIP = new StageHarness(new VipStage(TRACKER, "next"), SNAPSHOT, 4);
    private static final StageHarness REPLY = new StageHarness(new ReplyStage(TRACKER, "next"), SNAPSHOT, 4);

    @FuzzTest(maxDuration = "30s")
    void shouldForwardOrDropEveryArbitraryPacketWithoutThrowing(FuzzedDataProvider data) {
        int vrf = data.pickValue(new int[] {TestVrfs.PUBLIC, TestVrfs.BLUE, TestVrfs.GREEN, -1});
        int flags = data.consumeInt(0, 0x3F);
        int ipOffset = data.consumeInt(-2, 80);
        byte[] packet = data.consumeRemainingAsBytes();
        if (packet.length == 0 || packet.length > 1900) {
            return;
        }
        boolean fromOutside = (flags & PacketFlags.FROM_OUTSIDE) != 0;
        StageHarness harness = fromOutside ? VIP : REPLY;
        harness.runAll(List.of(packet), slot -> {
            var batch = harness.batch();
            batch.l3Offset[slot] = ipOffset < 0 ? -1 : batch.offset[slot] + ipOffset;
            batch.l4Offset[slot] = -1;
            batch.vrf[slot] = vrf;
            batch.flags[slot] = flags;
        });
    }
}
