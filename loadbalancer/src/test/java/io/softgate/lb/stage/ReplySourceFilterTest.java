package io.softgate.lb.stage;

import static io.softgate.lb.stage.LbFixtures.CLIENT;
import static io.softgate.lb.stage.LbFixtures.VIP;
import static io.softgate.lb.stage.LbFixtures.WEB_BACKEND;
import static io.softgate.lb.stage.LbFixtures.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.packet.IcmpFlyweight;
import io.softgate.core.pipeline.StageHarness;
import io.softgate.lb.compile.BackendHealth;
import io.softgate.lb.compile.LoadBalancerCompiler;
import io.softgate.lb.compile.LoadBalancerTables;
import io.softgate.lb.compile.TestVrfs;
import io.softgate.lb.model.Backend;
import io.softgate.lb.model.BackendAdminState;
import io.softgate.lb.model.HealthCheck;
import io.softgate.lb.model.LbProtocol;
import io.softgate.lb.model.LoadBalancerConfig;
import io.softgate.lb.model.LoadBalancerService;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code lb-reply}'s backend-source filter: traffic from no backend passes without a
 * connection-table lookup (counted {@code lb-reply.not-from-backend}), while every reply of a
 * tracked connection is still found, whatever has happened to its backend since.
 */
class ReplySourceFilterTest {
    private static final String NEXT = "next";
    private static final long NOW_NS = 5_000_000_000L;
    private static final String NOT_FROM_BACKEND = "lb-reply.not-from-backend";
    private static final String TRANSLATED = "lb-reply.replies-translated";

    private final LoadBalancerCompiler compiler = new LoadBalancerCompiler(new TestVrfs());
    private final ConnectionTracker tracker = new ConnectionTracker(1024);
    private final StageHarness vip = new StageHarness(new VipStage(tracker, NEXT), null);
    private final StageHarness reply = new StageHarness(new ReplyStage(tracker, NEXT), null);

    private static LoadBalancerConfig web(List<Backend> backends) {
        return LoadBalancerConfig.of(List.of(LoadBalancerService.of("web", LbProtocol.TCP, VIP, 80, backends,
            HealthCheck.NONE, "blue"))).withMaglevTableSize(251);
    }

    private void use(LoadBalancerConfig config, BackendHealth health) {
        LoadBalancerTables tables = LbFixtures.compile(compiler, config, health);
        vip.snapshot(LbFixtures.snapshot(tables));
        reply.snapshot(LbFixtures.snapshot(tables));
        vip.nowNs(NOW_NS);
        reply.nowNs(NOW_NS);
    }

    /** Establishes CLIENT:40000 -> VIP:80 on the web service's only backend. */
    private void establish() {
        assertEquals(NEXT, vip.run(frame().ipv4(CLIENT, VIP).tcp(40000, 80).build(), LbFixtures.fromOutside(vip.batch())).verdict());
    }

    private StageHarness.Outcome fromBlue(byte[] packet) {
        return reply.run(packet, LbFixtures.fromVpc(reply.batch(), TestVrfs.BLUE));
    }

    private static void assertPacket(byte[] expected, StageHarness.Outcome outcome) {
        assertEquals(NEXT, outcome.verdict());
        assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(outcome.packet()));
    }

    private void assertBackendReplyTranslated() {
        StageHarness.Outcome back = fromBlue(frame().ipv4(WEB_BACKEND, CLIENT).tcp(8080, 40000).payload(5).build());
        assertPacket(frame().ipv4(VIP, CLIENT).tcp(80, 40000).payload(5).build(), back);
        assertEquals(TestVrfs.PUBLIC, back.vrf());
        assertEquals(0, reply.counter(NOT_FROM_BACKEND));
    }

    @Test
    void shouldPassAVmsOwnInternetTrafficWithoutAConnectionLookup() {
        use(web(List.of(Backend.of(WEB_BACKEND, 8080))), BackendHealth.ALL_HEALTHY);
        establish();
        byte[] outbound = frame().ipv4("10.1.0.77", "93.184.216.34").tcp(51000, 443).payload(5).build();
        StageHarness.Outcome outcome = fromBlue(outbound);
        assertPacket(outbound, outcome);
        assertEquals(TestVrfs.BLUE, outcome.vrf());
        assertEquals(1, reply.counter(NOT_FROM_BACKEND));
        assertEquals(0, reply.counter(TRANSLATED));
    }

    @Test
    void shouldPassTheBackendAddressFromAnotherPortWithoutAConnectionLookup() {
        use(web(List.of(Backend.of(WEB_BACKEND, 8080))), BackendHealth.ALL_HEALTHY);
        establish();
        byte[] ownConnection = frame().ipv4(WEB_BACKEND, CLIENT).tcp(8081, 40000).build();
        assertPacket(ownConnection, fromBlue(ownConnection));
        assertEquals(1, reply.counter(NOT_FROM_BACKEND));
    }

    @Test
    void shouldLookUpAPacketFromABackendEndpointEvenWithoutAConnection() {
        use(web(List.of(Backend.of(WEB_BACKEND, 8080))), BackendHealth.ALL_HEALTHY);
        byte[] untracked = frame().ipv4(WEB_BACKEND, CLIENT).tcp(8080, 40000).build();
        assertPacket(untracked, fromBlue(untracked));
        assertEquals(0, reply.counter(NOT_FROM_BACKEND));
    }

    @Test
    void shouldPassAnIcmpErrorAboutNoBackendWithoutAConnectionLookup() {
        use(web(List.of(Backend.of(WEB_BACKEND, 8080))), BackendHealth.ALL_HEALTHY);
        establish();
        byte[] error = frame().ipv4("10.1.0.77", CLIENT).icmp(IcmpFlyweight.V4_DESTINATION_UNREACHABLE,
                IcmpFlyweight.V4_CODE_PORT_UNREACHABLE, 0)
            .payload(LbFixtures.ipPart(frame().ipv4(CLIENT, "10.1.0.77").udp(5300, 53).payload(4).build())).build();
        assertPacket(error, fromBlue(error));
        assertEquals(1, reply.counter(NOT_FROM_BACKEND));
    }

    @Test
    void shouldTranslateTheReplyOfAnActiveBackend() {
        use(web(List.of(Backend.of(WEB_BACKEND, 8080))), BackendHealth.ALL_HEALTHY);
        establish();
        assertBackendReplyTranslated();
    }

    @Test
    void shouldTranslateTheRepliesOfADrainingBackendsEstablishedConnection() {
        use(web(List.of(Backend.of(WEB_BACKEND, 8080))), BackendHealth.ALL_HEALTHY);
        establish();
        use(web(List.of(new Backend(WEB_BACKEND, 8080, 1, BackendAdminState.MAINTENANCE))), BackendHealth.ALL_HEALTHY);
        assertBackendReplyTranslated();
    }

    @Test
    void shouldTranslateTheRepliesOfADownBackendUntilItsConnectionMoves() {
        use(web(List.of(Backend.of(WEB_BACKEND, 8080))), BackendHealth.ALL_HEALTHY);
        establish();
        use(web(List.of(Backend.of(WEB_BACKEND, 8080))), key -> false);
        assertBackendReplyTranslated();
    }

    @Test
    void shouldTranslateTheRepliesOfARemovedBackendWhileItsConnectionDrains() {
        use(web(List.of(Backend.of(WEB_BACKEND, 8080))), BackendHealth.ALL_HEALTHY);
        establish();
        use(web(List.of(Backend.of("10.1.0.9", 8080))), BackendHealth.ALL_HEALTHY);
        assertBackendReplyTranslated();
    }

    @Test
    void shouldTranslateTheRepliesOfABackendWhoseServiceWasDeleted() {
        use(web(List.of(Backend.of(WEB_BACKEND, 8080))), BackendHealth.ALL_HEALTHY);
        establish();
        use(LoadBalancerConfig.of(List.of()).withMaglevTableSize(251), BackendHealth.ALL_HEALTHY);
        assertBackendReplyTranslated();
    }

    @Test
    void shouldTranslateTheRepliesOfAFullNatConnectionAndPassOtherTrafficFromItsVpc() {
        use(LbFixtures.referenceConfig(), BackendHealth.ALL_HEALTHY);
        StageHarness.Outcome forward = vip.run(frame().ipv4(CLIENT, LbFixtures.FULL_NAT_VIP).tcp(40000, 443).build(),
            LbFixtures.fromOutside(vip.batch()));
        int natPort = new org.agrona.concurrent.UnsafeBuffer(forward.packet()).getShort(LbFixtures.ETHERNET + 20,
            java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF;
        StageHarness.Outcome back = reply.run(frame().ipv4(LbFixtures.FULL_NAT_BACKEND, LbFixtures.FULL_NAT_SOURCE)
            .tcp(8443, natPort).build(), LbFixtures.fromVpc(reply.batch(), TestVrfs.GREEN));
        assertPacket(frame().ipv4(LbFixtures.FULL_NAT_VIP, CLIENT).tcp(443, 40000).build(), back);
        assertEquals(0, reply.counter(NOT_FROM_BACKEND));
        byte[] other = frame().ipv4("10.2.0.10", "93.184.216.34").tcp(51000, 443).build();
        assertPacket(other, reply.run(other, LbFixtures.fromVpc(reply.batch(), TestVrfs.GREEN)));
        assertEquals(1, reply.counter(NOT_FROM_BACKEND));
    }
}
