package io.softgate.evpn.forwarding.stage;

import static io.softgate.evpn.forwarding.ForwardingFixture.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.counter.CounterLayout;
import io.softgate.core.counter.WorkerCounters;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.packet.PacketBuilder;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.Pipeline;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.testkit.AllocationProbe;
import io.softgate.evpn.forwarding.ForwardingFixture;
import io.softgate.evpn.forwarding.ForwardingPipeline;
import io.softgate.evpn.forwarding.Packets;
import io.softgate.evpn.forwarding.compiler.ForwardingCompiler;
import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.model.NextHop;
import io.softgate.evpn.forwarding.model.RouteIntent;
import io.softgate.evpn.forwarding.model.VrfIntent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Golden packets for an IP port (a TUN uplink, port 1) next to the fabric (port 0): packets from
 * the IP port ({@link PacketFlags#L3_PACKET}, starting at the IP header) are routed in the outside
 * VRF and encapsulated toward a VTEP; packets routed to the IP port leave bare, TTL decremented.
 */
class IpPortForwardingTest {
    private static final int FABRIC_PORT = 0;
    private static final int UPLINK_PORT = 1;
    private static final int PUBLIC_VNI = 5009;

    /** One row of the golden table: what arrives where, and what must leave where (null: dropped). */
    private record Row(String description, byte[] input, int ingressPort, int flags, byte[] expected, int egressPort,
                       String dropCounter) {
    }

    private static ConfigSnapshot snapshot(boolean withOutsideVrf) {
        VrfIntent publicVrf = VrfIntent.of("public", PUBLIC_VNI, 9);
        List<RouteIntent> routes = List.of(
            RouteIntent.of("public", "10.0.1.0/24", NextHop.remoteVtep(HV1_VTEP, "02:11:00:00:00:01")),
            RouteIntent.of("public", "2001:db8:1::/64", NextHop.remoteVtep(HV1_VTEP, "02:11:00:00:00:01")),
            RouteIntent.of("public", "0.0.0.0/0", NextHop.ipPort(UPLINK_PORT)),
            RouteIntent.of("public", "::/0", NextHop.ipPort(UPLINK_PORT)));
        ForwardingIntent intent = ForwardingIntent.of(node(), List.of(withOutsideVrf ? publicVrf.asOutside() : publicVrf),
            routes);
        return ForwardingFixture.snapshot(new ForwardingCompiler().compile(intent));
    }

    private static PacketBuilder ipv4(String source, String destination, int ttl) {
        return PacketBuilder.ethernet(0, 0).ipv4(source, destination).ttl(ttl).udp(40000, 53).payload(30);
    }

    private static List<Row> golden() {
        byte[] fromInternet = Packets.ip(ipv4("198.51.100.10", "10.0.1.10", 64));
        byte[] toVm = PacketBuilder.ethernet(OUR_ROUTER_MAC, HV1_ROUTER_MAC).ipv4("198.51.100.10", "10.0.1.10").ttl(63)
            .udp(40000, 53).payload(30).build();
        byte[] fromVm = ForwardingFixture.fromHv1(PUBLIC_VNI, innerFromHv1().ipv4("10.0.1.10", "198.51.100.10").ttl(64)
            .udp(40000, 53).payload(30).build());
        byte[] toInternet = Packets.ip(ipv4("10.0.1.10", "198.51.100.10", 63));
        byte[] fromInternetV6 = Packets.ip(PacketBuilder.ethernet(0, 0).ipv6("2001:db8:ff::1", "2001:db8:1::10")
            .hopLimit(64).udp(40000, 53).payload(30));
        byte[] toVmV6 = PacketBuilder.ethernet(OUR_ROUTER_MAC, HV1_ROUTER_MAC).ipv6("2001:db8:ff::1", "2001:db8:1::10")
            .hopLimit(63).udp(40000, 53).payload(30).build();
        byte[] notIp = Packets.patchByte(fromInternet.clone(), 0, 0x25);
        return List.of(
            new Row("IPv4 from the IP port to a VM: VXLAN toward hv1 on the outside VRF's L3VNI", fromInternet,
                UPLINK_PORT, PacketFlags.L3_PACKET, toVm, FABRIC_PORT, null),
            new Row("IPv6 from the IP port to a VM: VXLAN toward hv1", fromInternetV6, UPLINK_PORT,
                PacketFlags.L3_PACKET, toVmV6, FABRIC_PORT, null),
            new Row("IPv4 from a VM to the internet: bare IP packet out of the IP port, TTL 63", fromVm, FABRIC_PORT, 0,
                toInternet, UPLINK_PORT, null),
            new Row("version nibble 2 from the IP port: dropped", notIp, UPLINK_PORT, PacketFlags.L3_PACKET, null, -1,
                "vxlan-decap.drop.ip-port-not-ip"));
    }

    @Test
    void shouldForwardEveryGoldenPacketBetweenTheIpPortAndTheFabric() {
        for (Row row : golden()) {
            Outcome outcome = run(row.input, row.ingressPort, row.flags, snapshot(true));
            if (row.expected == null) {
                assertEquals(0, outcome.output.length, row.description);
                assertEquals(1L, counter(outcome.counters, row.dropCounter), row.description);
                continue;
            }
            byte[] expected = row.expected;
            if (row.egressPort == FABRIC_PORT) {
                expected = PacketBuilder.vxlan(OUR_UNDERLAY_MAC, LEAF_MAC, OUR_VTEP, HV1_VTEP,
                    FlowHash.udpSourcePort(outcome.flowHash), PUBLIC_VNI, row.expected);
            }
            assertArrayEquals(expected, outcome.output, row.description);
            assertEquals(row.egressPort, outcome.egressPort, row.description);
        }
    }

    @Test
    void shouldAllocateNothingPerBatchForwardingBetweenTheIpPortAndTheFabric() {
        List<Row> rows = golden();
        FrameMemory memory = new FrameMemory(16);
        FramePool pool = new FramePool(memory);
        PacketBatch batch = new PacketBatch(memory, 8);
        Pipeline pipeline = new Pipeline(ForwardingPipeline.definition(), 0, batch, pool, new CounterLayout());
        ConfigSnapshot snapshot = snapshot(true);
        int[] frames = new int[rows.size()];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = pool.allocate();
        }
        Runnable run = new Runnable() {
            @Override
            public void run() {
                batch.clear();
                for (int i = 0; i < frames.length; i++) {
                    Row row = rows.get(i);
                    int start = memory.packetStart(frames[i]);
                    memory.buffer().putBytes(start, row.input);
                    int slot = batch.add(frames[i], start, row.input.length, row.ingressPort);
                    batch.flags[slot] |= row.flags;
                }
                pipeline.run(batch, snapshot, 0);
            }
        };

        assertEquals(0, AllocationProbe.bytesPerRun(run, 20_000, 2_000));
        assertEquals(3, pipeline.transmitVector().size(), "the three forwarded rows really went out");
    }

    @Test
    void shouldDropPacketsFromAnIpPortWhenNoVrfIsTheOutsideVrf() {
        byte[] fromInternet = Packets.ip(ipv4("198.51.100.10", "10.0.1.10", 64));
        Outcome outcome = run(fromInternet, UPLINK_PORT, PacketFlags.L3_PACKET, snapshot(false));
        assertEquals(0, outcome.output.length);
        assertEquals(1L, counter(outcome.counters, "vxlan-decap.drop.ip-port-without-outside-vrf"));
    }

    private static long counter(Pipeline pipeline, String name) {
        WorkerCounters counters = pipeline.counters();
        for (int id = 0; id < counters.layout().size(); id++) {
            if (counters.layout().name(id).equals(name)) {
                return counters.get(id);
            }
        }
        throw new AssertionError("no counter " + name);
    }

    private record Outcome(byte[] output, int egressPort, int flowHash, Pipeline counters) {
    }

    private static Outcome run(byte[] input, int port, int flags, ConfigSnapshot snapshot) {
        FrameMemory memory = new FrameMemory(8);
        FramePool pool = new FramePool(memory);
        PacketBatch batch = new PacketBatch(memory, 4);
        Pipeline pipeline = new Pipeline(ForwardingPipeline.definition(), 0, batch, pool, new CounterLayout());
        int frame = pool.allocate();
        memory.buffer().putBytes(memory.packetStart(frame), input);
        int slot = batch.add(frame, memory.packetStart(frame), input.length, port);
        batch.flags[slot] |= flags;
        pipeline.run(batch, snapshot, 0);
        if (pipeline.transmitVector().size() == 0) {
            return new Outcome(new byte[0], -1, 0, pipeline);
        }
        byte[] out = new byte[batch.length[slot]];
        memory.buffer().getBytes(batch.offset[slot], out);
        return new Outcome(out, batch.egressPort[slot], batch.flowHash[slot], pipeline);
    }
}
