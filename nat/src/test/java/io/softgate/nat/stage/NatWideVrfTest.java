package io.softgate.nat.stage;

import static io.softgate.nat.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.StageHarness;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.core.snapshot.WorkerEpochs;
import io.softgate.nat.compile.ExternalAddressRegistry;
import io.softgate.nat.compile.NatRuleCompiler;
import io.softgate.nat.compile.NatTables;
import io.softgate.nat.config.NatAction;
import io.softgate.nat.config.NatConfig;
import io.softgate.nat.config.NatConfigException;
import io.softgate.nat.config.NatRule;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.config.VpcBinding;
import io.softgate.nat.log.NatEventLog;
import io.softgate.nat.rewrite.Rewrite;
import io.softgate.nat.session.NatSessions;
import io.softgate.nat.session.SessionKeys;
import io.softgate.nat.testing.Frame;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * VRF indices above 65,535 (the fabric has millions of VPCs): two VPCs with the same private
 * addresses at VRF 70,000 and at the highest VRF the NAT keys, dynamic SNAT to one shared pool,
 * and replies that must reach the right VPC.
 */
class NatWideVrfTest {
    private static final int PUBLIC_VRF = 0;
    private static final int GREEN_VRF = 70_000;
    private static final int ORANGE_VRF = SessionKeys.MAX_VRF;
    private static final String VM = "10.0.0.5";
    private static final String SERVER = "192.0.2.53";
    private static final long START_NS = 1_000_000_000_000L;

    private NatSessions sessions;
    private StageHarness in2out;
    private StageHarness out2in;

    @BeforeEach
    void setUp() {
        ExternalAddressRegistry registry = new ExternalAddressRegistry(16);
        List<VpcBinding> vpcs = List.of(new VpcBinding("green", GREEN_VRF, null),
            new VpcBinding("orange", ORANGE_VRF, null));
        List<NatRule> rules = List.of(
            NatRule.builder("green-out", NatAction.SNAT, "green").source("10.0.0.0/24", null)
                .snatToPool("198.51.100.64/30").build(),
            NatRule.builder("orange-out", NatAction.SNAT, "orange").source("10.0.0.0/24", null)
                .snatToPool("198.51.100.64/30").build());
        NatTables tables = new NatRuleCompiler(registry).compile(
            new NatConfig(vpcs, PUBLIC_VRF, rules, NatSettings.defaults()));
        sessions = new NatSessions(1024, 1024, 64, new NatEventLog(1 << 12), registry);
        ConfigSnapshot snapshot = new SnapshotPublisher(new WorkerEpochs(1))
            .publish(ConfigSnapshot.builder().with(NatTables.SLOT, tables));
        in2out = new StageHarness(NatStageFactories.in2out(sessions, "route").create(0), snapshot);
        out2in = new StageHarness(NatStageFactories.out2in(sessions, "route").create(0), snapshot);
        in2out.nowNs(START_NS);
        out2in.nowNs(START_NS);
    }

    @AfterEach
    void tearDown() {
        sessions.close();
    }

    @Test
    void shouldReturnEachReplyToItsVpcWhenVrfIndicesExceedSixteenBits() {
        StageHarness.Outcome green = fromVpc(GREEN_VRF, udp(VM, 5000, SERVER, 53));
        StageHarness.Outcome orange = fromVpc(ORANGE_VRF, udp(VM, 5000, SERVER, 53));
        assertEquals(PUBLIC_VRF, green.vrf());
        assertEquals(PUBLIC_VRF, orange.vrf());
        Frame greenOut = new Frame(green.packet());
        Frame orangeOut = new Frame(orange.packet());
        assertNotEquals(greenOut.source() + ":" + greenOut.sourcePort(),
            orangeOut.source() + ":" + orangeOut.sourcePort(), "two VPCs, two external endpoints");

        StageHarness.Outcome toGreen = fromInternet(udp(SERVER, 53, greenOut.source(), greenOut.sourcePort()));
        StageHarness.Outcome toOrange = fromInternet(udp(SERVER, 53, orangeOut.source(),
            orangeOut.sourcePort()));
        assertEquals(GREEN_VRF, toGreen.vrf());
        assertEquals(ORANGE_VRF, toOrange.vrf());
        assertArrayEquals(udp(SERVER, 53, VM, 5000), toGreen.packet());
        assertArrayEquals(udp(SERVER, 53, VM, 5000), toOrange.packet());
    }

    @Test
    void shouldRejectVpcVrfAboveTheKeyWidth() {
        NatConfig config = new NatConfig(List.of(new VpcBinding("too-far", SessionKeys.MAX_VRF + 1, null)),
            PUBLIC_VRF, List.of(), NatSettings.defaults());
        assertThrows(NatConfigException.class,
            () -> new NatRuleCompiler(new ExternalAddressRegistry(4)).compile(config));
    }

    @Test
    void shouldKeepEveryVrfBitInSessionKeysAndRewriteWords() {
        long word0 = SessionKeys.word0(SessionKeys.TAG_FRAGMENT, 255, SessionKeys.MAX_VRF, 65535, 65535);
        assertEquals(SessionKeys.TAG_FRAGMENT, SessionKeys.tag(word0));
        assertEquals(255, SessionKeys.protocol(word0));
        assertEquals(SessionKeys.MAX_VRF, SessionKeys.vrf(word0));
        assertEquals(65535, SessionKeys.sourcePort(word0));
        assertEquals(65535, SessionKeys.destinationPort(word0));
        long rewrite1 = Rewrite.word1(true, true, 0x0A00_0005, 0xC633_6440, 0xFF_FFFF, true);
        assertEquals(0xFF_FFFF, Rewrite.targetVrf(rewrite1));
        long withState = SessionKeys.withTcpState(rewrite1, 0xFF);
        assertEquals(0xFF_FFFF, Rewrite.targetVrf(withState));
        assertEquals(0xFF, SessionKeys.tcpState(withState));
    }

    private StageHarness.Outcome fromVpc(int vrf, byte[] frame) {
        return in2out.run(frame, slot -> {
            in2out.batch().l3Offset[slot] = in2out.batch().offset[slot] + 14;
            in2out.batch().l4Offset[slot] = -1;
            in2out.batch().vrf[slot] = vrf;
        });
    }

    private StageHarness.Outcome fromInternet(byte[] frame) {
        return out2in.run(frame, slot -> {
            out2in.batch().l3Offset[slot] = out2in.batch().offset[slot] + 14;
            out2in.batch().l4Offset[slot] = -1;
            out2in.batch().vrf[slot] = PUBLIC_VRF;
            out2in.batch().flags[slot] = PacketFlags.FROM_OUTSIDE;
        });
    }
}
