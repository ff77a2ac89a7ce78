package io.softgate.lb.stage;

import static io.softgate.lb.stage.LbFixtures.CLIENT;
import static io.softgate.lb.stage.LbFixtures.VIP;
import static io.softgate.lb.stage.LbFixtures.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.packet.Checksums;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.TcpFlyweight;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Connection tracking across config and health changes, spreading, full NAT, and tier agreement. */
class ConnectionBehaviourTest {
    private static final String NEXT = "next";
    private static final long NOW_NS = 5_000_000_000L;

    private final LoadBalancerCompiler compiler = new LoadBalancerCompiler(new TestVrfs());
    private final ConnectionTracker tracker = new ConnectionTracker(1 << 14);
    private final StageHarness vip = new StageHarness(new VipStage(tracker, NEXT), null);
    private final StageHarness reply = new StageHarness(new ReplyStage(tracker, NEXT), null);

    private static LoadBalancerConfig web(List<Backend> backends) {
        return LoadBalancerConfig.of(List.of(LoadBalancerService.of("web", LbProtocol.TCP, VIP, 80, backends,
            HealthCheck.tcp(1000, 1000, 1, 1), "blue")));
    }

    private static List<Backend> backends(int count) {
        List<Backend> list = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            list.add(Backend.of("10.1.0." + i, 8080));
        }
        return list;
    }

    private void use(LoadBalancerTables tables) {
        vip.snapshot(LbFixtures.snapshot(tables));
        reply.snapshot(LbFixtures.snapshot(tables));
        vip.nowNs(NOW_NS);
        reply.nowNs(NOW_NS);
    }

    /** Sends one TCP packet from CLIENT:port to VIP:80 and returns the backend address it went to, or null if dropped. */
    private String send(int clientPort) {
        StageHarness.Outcome outcome = vip.run(frame().ipv4(CLIENT, VIP).tcp(clientPort, 80).build(),
            LbFixtures.fromOutside(vip.batch()));
        if (!outcome.verdict().equals(NEXT)) {
            return null;
        }
        return Ipv4Flyweight.format(Ipv4Flyweight.destination(new UnsafeBuffer(outcome.packet()), LbFixtures.ETHERNET));
    }

    @Test
    void shouldKeepEveryEstablishedConnectionOnItsBackendWhenABackendIsAdded() {
        use(LbFixtures.compile(compiler, web(backends(4)), BackendHealth.ALL_HEALTHY));
        Map<Integer, String> before = new HashMap<>();
        for (int port = 10_000; port < 10_400; port++) {
            before.put(port, send(port));
        }
        use(LbFixtures.compile(compiler, web(backends(5)), BackendHealth.ALL_HEALTHY));
        for (int port = 10_000; port < 10_400; port++) {
            assertEquals(before.get(port), send(port), "connection from port " + port + " moved");
        }
    }

    @Test
    void shouldMoveTheConnectionsOfADeadBackendAndOnlyThose() {
        use(LbFixtures.compile(compiler, web(backends(3)), BackendHealth.ALL_HEALTHY));
        Map<Integer, String> before = new HashMap<>();
        for (int port = 10_000; port < 10_300; port++) {
            before.put(port, send(port));
        }
        use(LbFixtures.compile(compiler, web(backends(3)), key -> !key.address().equals("10.1.0.2")));
        int moved = 0;
        for (int port = 10_000; port < 10_300; port++) {
            String now = send(port);
            assertNotEquals("10.1.0.2", now);
            if (before.get(port).equals("10.1.0.2")) {
                moved++;
            } else {
                assertEquals(before.get(port), now, "a healthy backend's connection moved");
            }
        }
        assertTrue(moved > 0, "the dead backend had connections to move");
        assertEquals(moved, vip.counter("lb-vip.connections-moved"));
    }

    @Test
    void shouldCountADeadBackendsConnectionOnlyAsNoBackendWhenNoBackendIsLeftToMoveItTo() {
        use(LbFixtures.compile(compiler, web(backends(2)), BackendHealth.ALL_HEALTHY));
        assertNotNull(send(10_000), "tracked while its backend was up");
        use(LbFixtures.compile(compiler, web(backends(2)), key -> false));

        assertNull(send(10_000), "no backend is left");
        assertEquals(1, vip.counter("lb-vip.drop.no-backend"));
        assertEquals(0, vip.counter("lb-vip.connections-moved"), "nothing moved");
    }

    @Test
    void shouldKeepTheConnectionsOfADrainingBackendButGiveItNoNewOnes() {
        use(LbFixtures.compile(compiler, web(backends(2)), BackendHealth.ALL_HEALTHY));
        Map<Integer, String> before = new HashMap<>();
        for (int port = 10_000; port < 10_100; port++) {
            before.put(port, send(port));
        }
        List<Backend> draining = List.of(Backend.of("10.1.0.1", 8080), new Backend("10.1.0.2", 8080, 1, BackendAdminState.MAINTENANCE));
        use(LbFixtures.compile(compiler, web(draining), BackendHealth.ALL_HEALTHY));
        for (int port = 10_000; port < 10_100; port++) {
            assertEquals(before.get(port), send(port));
        }
        for (int port = 20_000; port < 20_100; port++) {
            assertEquals("10.1.0.1", send(port));
        }
    }

    @Test
    void shouldDropNewConnectionsAsNoBackendWhenEveryBackendIsDown() {
        use(LbFixtures.compile(compiler, web(backends(2)), key -> false));
        assertEquals(null, send(10_000));
        assertEquals(1, vip.counter("lb-vip.drop.no-backend"));
    }

    @Test
    void shouldSpreadNewConnectionsWithinTenPercentOfEqualOverThreeBackends() {
        use(LbFixtures.compile(compiler, web(backends(3)), BackendHealth.ALL_HEALTHY));
        Map<String, Integer> counts = new HashMap<>();
        for (int port = 1024; port < 1024 + 3000; port++) {
            counts.merge(send(port), 1, Integer::sum);
        }
        assertEquals(3, counts.size());
        for (int count : counts.values()) {
            assertTrue(Math.abs(count - 1000) <= 100, "uneven spread " + counts);
        }
    }

    @Test
    void shouldChooseTheSameBackendOnTwoNodesWithTheSameConfig() {
        use(LbFixtures.compile(compiler, web(backends(7)), BackendHealth.ALL_HEALTHY));
        LoadBalancerCompiler otherCompiler = new LoadBalancerCompiler(new TestVrfs());
        List<Backend> reversed = new ArrayList<>(backends(7));
        java.util.Collections.reverse(reversed);
        StageHarness otherNode = new StageHarness(new VipStage(new ConnectionTracker(1 << 12), NEXT),
            LbFixtures.snapshot(LbFixtures.compile(otherCompiler, web(reversed), BackendHealth.ALL_HEALTHY)));
        for (int port = 30_000; port < 30_200; port++) {
            StageHarness.Outcome other = otherNode.run(frame().ipv4(CLIENT, VIP).tcp(port, 80).build(),
                LbFixtures.fromOutside(otherNode.batch()));
            String there = Ipv4Flyweight.format(Ipv4Flyweight.destination(new UnsafeBuffer(other.packet()), LbFixtures.ETHERNET));
            assertEquals(send(port), there, "nodes disagree for client port " + port);
        }
    }

    @Test
    void shouldTranslateBothDirectionsOfAFullNatConnection() {
        use(LbFixtures.compile(compiler, LbFixtures.referenceConfig(), BackendHealth.ALL_HEALTHY));
        StageHarness.Outcome forward = vip.run(frame().ipv4(CLIENT, LbFixtures.FULL_NAT_VIP).tcp(40000, 443).payload(20).build(),
            LbFixtures.fromOutside(vip.batch()));
        assertEquals(NEXT, forward.verdict());
        assertEquals(TestVrfs.GREEN, forward.vrf());
        UnsafeBuffer out = new UnsafeBuffer(forward.packet());
        int ip = LbFixtures.ETHERNET;
        int l4 = ip + 20;
        assertEquals(LbFixtures.FULL_NAT_SOURCE, Ipv4Flyweight.format(Ipv4Flyweight.source(out, ip)));
        assertEquals(LbFixtures.FULL_NAT_BACKEND, Ipv4Flyweight.format(Ipv4Flyweight.destination(out, ip)));
        assertEquals(8443, TcpFlyweight.destinationPort(out, l4));
        int natPort = TcpFlyweight.sourcePort(out, l4);
        assertTrue(natPort >= 1024);
        assertChecksumsValid(out, ip, forward.packet().length - ip);
        // The expected packet with the chosen port, built from scratch, must match byte for byte.
        assertEquals(java.util.HexFormat.of().formatHex(frame().ipv4(LbFixtures.FULL_NAT_SOURCE, LbFixtures.FULL_NAT_BACKEND)
            .tcp(natPort, 8443).payload(20).build()), java.util.HexFormat.of().formatHex(forward.packet()));

        StageHarness.Outcome back = reply.run(frame().ipv4(LbFixtures.FULL_NAT_BACKEND, LbFixtures.FULL_NAT_SOURCE)
            .tcp(8443, natPort).payload(5).build(), LbFixtures.fromVpc(reply.batch(), TestVrfs.GREEN));
        assertEquals(java.util.HexFormat.of().formatHex(frame().ipv4(LbFixtures.FULL_NAT_VIP, CLIENT).tcp(443, 40000).payload(5).build()),
            java.util.HexFormat.of().formatHex(back.packet()));
        assertEquals(TestVrfs.PUBLIC, back.vrf());
    }

    @Test
    void shouldGiveTwoFullNatClientsWithTheSamePortDifferentSourcePorts() {
        use(LbFixtures.compile(compiler, LbFixtures.referenceConfig(), BackendHealth.ALL_HEALTHY));
        StageHarness.Outcome first = vip.run(frame().ipv4(CLIENT, LbFixtures.FULL_NAT_VIP).tcp(40000, 443).build(),
            LbFixtures.fromOutside(vip.batch()));
        StageHarness.Outcome second = vip.run(frame().ipv4("198.51.100.8", LbFixtures.FULL_NAT_VIP).tcp(40000, 443).build(),
            LbFixtures.fromOutside(vip.batch()));
        int l4 = LbFixtures.ETHERNET + 20;
        assertNotEquals(TcpFlyweight.sourcePort(new UnsafeBuffer(first.packet()), l4),
            TcpFlyweight.sourcePort(new UnsafeBuffer(second.packet()), l4));
    }

    @Test
    void shouldPassEverythingWhenNoLoadBalancerIsConfigured() {
        byte[] packet = frame().ipv4(CLIENT, VIP).tcp(40000, 80).build();
        StageHarness.Outcome outcome = vip.run(packet, LbFixtures.fromOutside(vip.batch()));
        assertEquals(NEXT, outcome.verdict());
        assertEquals(java.util.HexFormat.of().formatHex(packet), java.util.HexFormat.of().formatHex(outcome.packet()));
    }

    @Test
    void shouldForgetAConnectionIdleLongerThanItsTimeout() {
        LoadBalancerConfig config = web(backends(1));
        use(LbFixtures.compile(compiler, new LoadBalancerConfig(config.services(), 251, 1_000_000_000L, 1_000_000_000L),
            BackendHealth.ALL_HEALTHY));
        send(10_000);
        assertEquals(1, vip.counter("lb-vip.connections-created"));
        vip.nowNs(NOW_NS + 2_000_000_000L);
        send(10_000);
        assertEquals(2, vip.counter("lb-vip.connections-created"));
    }

    private static void assertChecksumsValid(UnsafeBuffer buffer, int ip, int length) {
        assertEquals(0, ~Checksums.fold(Checksums.sum(buffer, ip, 20)) & 0xFFFF, "IPv4 header checksum");
        long sum = Checksums.ipv4PseudoHeaderSum(Ipv4Flyweight.source(buffer, ip), Ipv4Flyweight.destination(buffer, ip),
            6, length - 20) + Checksums.sum(buffer, ip + 20, length - 20);
        assertEquals(0, ~Checksums.fold(sum) & 0xFFFF, "TCP checksum");
    }

    @Test
    void shouldRepointTheReplyPathWhenTheSameClientTupleReachesTheSameBackendThroughAnotherVip() {
        List<Backend> shared = List.of(Backend.of("10.1.0.5", 8080));
        use(LbFixtures.compile(compiler, LoadBalancerConfig.of(List.of(
            LoadBalancerService.of("a", LbProtocol.TCP, VIP, 80, shared, HealthCheck.NONE, "blue"),
            LoadBalancerService.of("b", LbProtocol.TCP, "203.0.113.11", 80, shared, HealthCheck.NONE, "blue"))),
            BackendHealth.ALL_HEALTHY));
        vip.run(frame().ipv4(CLIENT, VIP).tcp(40000, 80).build(), LbFixtures.fromOutside(vip.batch()));
        vip.run(frame().ipv4(CLIENT, "203.0.113.11").tcp(40000, 80).build(), LbFixtures.fromOutside(vip.batch()));
        StageHarness.Outcome back = reply.run(frame().ipv4("10.1.0.5", CLIENT).tcp(8080, 40000).build(),
            LbFixtures.fromVpc(reply.batch(), TestVrfs.BLUE));
        assertEquals("203.0.113.11", Ipv4Flyweight.format(Ipv4Flyweight.source(new UnsafeBuffer(back.packet()), LbFixtures.ETHERNET)));
    }

    @Test
    void shouldStillTranslateABackendsLateReplyWhileTheClientKeepsTheConnectionAlive() {
        long minute = 60_000_000_000L;
        use(LbFixtures.compile(compiler, LbFixtures.referenceConfig(), BackendHealth.ALL_HEALTHY)); // UDP idle 5 min
        vip.run(frame().ipv4(CLIENT, VIP).udp(5300, 53).build(), LbFixtures.fromOutside(vip.batch()));
        vip.nowNs(NOW_NS + 4 * minute);
        vip.run(frame().ipv4(CLIENT, VIP).udp(5300, 53).build(), LbFixtures.fromOutside(vip.batch()));
        reply.nowNs(NOW_NS + 8 * minute);
        StageHarness.Outcome late = reply.run(frame().ipv4(LbFixtures.DNS_BACKEND, CLIENT).udp(53, 5300).build(),
            LbFixtures.fromVpc(reply.batch(), TestVrfs.BLUE));
        assertEquals(VIP, Ipv4Flyweight.format(Ipv4Flyweight.source(new UnsafeBuffer(late.packet()), LbFixtures.ETHERNET)));
        assertEquals(1, vip.counter("lb-vip.connections-created"));
    }

    @Test
    void shouldKeepAClientsConnectionWhileOnlyTheBackendTalks() {
        long minute = 60_000_000_000L;
        use(LbFixtures.compile(compiler, LbFixtures.referenceConfig(), BackendHealth.ALL_HEALTHY));
        vip.run(frame().ipv4(CLIENT, VIP).udp(5300, 53).build(), LbFixtures.fromOutside(vip.batch()));
        reply.nowNs(NOW_NS + 4 * minute);
        reply.run(frame().ipv4(LbFixtures.DNS_BACKEND, CLIENT).udp(53, 5300).build(), LbFixtures.fromVpc(reply.batch(), TestVrfs.BLUE));
        vip.nowNs(NOW_NS + 8 * minute);
        vip.run(frame().ipv4(CLIENT, VIP).udp(5300, 53).build(), LbFixtures.fromOutside(vip.batch()));
        assertEquals(1, vip.counter("lb-vip.connections-created"));
    }

    private static String destinationOf(StageHarness.Outcome outcome) {
        return Ipv4Flyweight.format(Ipv4Flyweight.destination(new UnsafeBuffer(outcome.packet()), LbFixtures.ETHERNET));
    }

    @Test
    void shouldTrackANewConnectionOnceWhenSeveralOfItsPacketsShareABatchWithEstablishedOnes() {
        use(LbFixtures.compile(compiler, web(backends(3)), BackendHealth.ALL_HEALTHY));
        String established = send(20_000);
        List<byte[]> packets = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            packets.add(frame().ipv4(CLIENT, VIP).tcp(20_001, 80).build()); // new
            packets.add(frame().ipv4(CLIENT, VIP).tcp(20_000, 80).build()); // established
        }
        List<StageHarness.Outcome> outcomes = vip.runAll(packets, LbFixtures.fromOutside(vip.batch()));
        String chosen = destinationOf(outcomes.get(0));
        for (int i = 0; i < outcomes.size(); i++) {
            assertEquals(NEXT, outcomes.get(i).verdict());
            assertEquals(i % 2 == 0 ? chosen : established, destinationOf(outcomes.get(i)), "packet " + i);
        }
        assertEquals(2, vip.counter("lb-vip.connections-created"));
        assertEquals(4, tracker.entries());
    }

    @Test
    void shouldMoveADeadBackendsConnectionOnceWhenSeveralOfItsPacketsShareABatch() {
        use(LbFixtures.compile(compiler, web(backends(3)), BackendHealth.ALL_HEALTHY));
        int port = 30_000;
        while (!"10.1.0.2".equals(send(port))) {
            port++;
        }
        use(LbFixtures.compile(compiler, web(backends(3)), key -> !key.address().equals("10.1.0.2")));
        List<byte[]> packets = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            packets.add(frame().ipv4(CLIENT, VIP).tcp(port, 80).build());
        }
        List<StageHarness.Outcome> outcomes = vip.runAll(packets, LbFixtures.fromOutside(vip.batch()));
        String moved = destinationOf(outcomes.get(0));
        assertNotEquals("10.1.0.2", moved);
        for (StageHarness.Outcome outcome : outcomes) {
            assertEquals(NEXT, outcome.verdict());
            assertEquals(moved, destinationOf(outcome));
        }
        assertEquals(1, vip.counter("lb-vip.connections-moved"));
    }
}
