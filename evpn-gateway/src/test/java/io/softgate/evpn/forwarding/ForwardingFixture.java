package io.softgate.evpn.forwarding;

import io.softgate.core.packet.PacketBuilder;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.core.snapshot.WorkerEpochs;
import io.softgate.evpn.forwarding.compiler.ForwardingCompiler;
import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.model.Ipv4Address;
import io.softgate.evpn.forwarding.model.Ipv6Address;
import io.softgate.evpn.forwarding.model.NextHop;
import io.softgate.evpn.forwarding.model.NodeIntent;
import io.softgate.evpn.forwarding.model.RouteIntent;
import io.softgate.evpn.forwarding.model.VrfIntent;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import java.util.List;

/**
 * The lab the forwarding tests share: our VTEP 192.0.2.1 with router MAC 02:5f:00:00:00:01; VRF
 * "tenant-a" on L3VNI 5001 with vm1's subnet 10.0.1.0/24 behind hv1 (VTEP 192.0.2.11, router MAC
 * 02:11:00:00:00:01) and vm2's subnet 10.0.2.0/24 behind hv2 (192.0.2.12, 02:12:00:00:00:01),
 * IPv6 2001:db8:1::/64 and 2001:db8:2::/64 likewise; VRF "tenant-b" on L3VNI 5002 with no routes
 * and no gateway addresses.
 *
 * <p>Threading: test helpers, one test thread.
 */
public final class ForwardingFixture {
    public static final String OUR_VTEP = "192.0.2.1";
    public static final String HV1_VTEP = "192.0.2.11";
    public static final String HV2_VTEP = "192.0.2.12";
    public static final long OUR_ROUTER_MAC = PacketBuilder.parseMac("02:5f:00:00:00:01");
    public static final long OUR_UNDERLAY_MAC = PacketBuilder.parseMac("02:5f:00:00:00:aa");
    public static final long LEAF_MAC = PacketBuilder.parseMac("02:ee:00:00:00:01");
    public static final long HV1_UNDERLAY_MAC = PacketBuilder.parseMac("02:11:00:00:00:aa");
    public static final long HV1_ROUTER_MAC = PacketBuilder.parseMac("02:11:00:00:00:01");
    public static final long HV2_ROUTER_MAC = PacketBuilder.parseMac("02:12:00:00:00:01");
    public static final int TENANT_A_VNI = 5001;
    public static final int TENANT_B_VNI = 5002;
    public static final String TENANT_A_GATEWAY = "10.0.0.254";
    public static final String TENANT_A_GATEWAY_V6 = "2001:db8::fe";

    private ForwardingFixture() {
    }

    public static NodeIntent node() {
        return NodeIntent.of(OUR_VTEP, "02:5f:00:00:00:01", "02:5f:00:00:00:aa", "02:ee:00:00:00:01");
    }

    public static List<VrfIntent> vrfs() {
        return List.of(
            VrfIntent.of("tenant-a", TENANT_A_VNI, 1)
                .withGateways(Ipv4Address.parse(TENANT_A_GATEWAY), Ipv6Address.parse(TENANT_A_GATEWAY_V6)),
            VrfIntent.of("tenant-b", TENANT_B_VNI, 2));
    }

    public static List<RouteIntent> routes() {
        NextHop hv1 = NextHop.remoteVtep(HV1_VTEP, "02:11:00:00:00:01");
        NextHop hv2 = NextHop.remoteVtep(HV2_VTEP, "02:12:00:00:00:01");
        return List.of(
            RouteIntent.of("tenant-a", "10.0.1.0/24", hv1),
            RouteIntent.of("tenant-a", "10.0.2.0/24", hv2),
            RouteIntent.of("tenant-a", "10.0.9.0/24", NextHop.blackhole()),
            RouteIntent.of("tenant-a", "10.0.0.254/32", NextHop.local()),
            RouteIntent.of("tenant-a", "2001:db8:1::/64", hv1),
            RouteIntent.of("tenant-a", "2001:db8:2::/64", hv2));
    }

    public static ForwardingIntent intent() {
        return ForwardingIntent.of(node(), vrfs(), routes());
    }

    public static ForwardingTables tables() {
        return new ForwardingCompiler().compile(intent());
    }

    public static ConfigSnapshot snapshot() {
        return snapshot(tables());
    }

    public static ConfigSnapshot snapshot(ForwardingTables tables) {
        SnapshotPublisher publisher = new SnapshotPublisher(new WorkerEpochs(1));
        return publisher.publish(ConfigSnapshot.builder().with(ForwardingTables.SLOT, tables));
    }

    /** A VXLAN frame from hv1 to us carrying {@code innerFrame} on {@code vni}. */
    public static byte[] fromHv1(int vni, byte[] innerFrame) {
        return PacketBuilder.vxlan(HV1_UNDERLAY_MAC, OUR_UNDERLAY_MAC, HV1_VTEP, OUR_VTEP, 54321, vni, innerFrame);
    }

    /** The inner Ethernet header hv1 puts on routed traffic: its router MAC to ours. */
    public static PacketBuilder innerFromHv1() {
        return PacketBuilder.ethernet(HV1_ROUTER_MAC, OUR_ROUTER_MAC);
    }
}
