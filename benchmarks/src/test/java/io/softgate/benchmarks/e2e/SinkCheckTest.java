package io.softgate.benchmarks.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.PacketBuilder;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Golden table for what the harness's sink counts as a forwarded packet. */
class SinkCheckTest {
    private static final long SENT_AT = 123_456_789_012L;
    private static final int SNAT = Ipv4Flyweight.parse(Topology.SNAT_ADDRESS);

    private record Case(String description, byte[] frame, long expected) {
    }

    private static byte[] payload(int magic) {
        UnsafeBuffer payload = new UnsafeBuffer(new byte[22]);
        payload.putInt(0, magic);
        payload.putLong(4, SENT_AT);
        return payload.byteArray();
    }

    private static byte[] returned(String innerSource, int vni, int magic) {
        byte[] inner = PacketBuilder.ethernet(PacketBuilder.parseMac(Topology.ROUTER_MAC),
                PacketBuilder.parseMac(Topology.BORDER_ROUTER_MAC))
            .ipv4(innerSource, Topology.SERVER_IP).ttl(63).udp(1024, 5000).zeroUdpChecksum().payload(payload(magic)).build();
        return PacketBuilder.vxlan(Topology.GATEWAY_MAC, Topology.HV_MAC, Topology.GATEWAY_IP, Topology.HV_IP, 50000, vni,
            inner);
    }

    @Test
    void shouldCountOnlyTranslatedPacketsOfThePublicVniCarryingOurMagic() {
        byte[] good = returned(Topology.SNAT_ADDRESS, Topology.PUBLIC_VNI, TrafficEndpoint.MAGIC);
        byte[] truncated = new byte[good.length - 20];
        System.arraycopy(good, 0, truncated, 0, truncated.length);
        List<Case> cases = List.of(
            new Case("translated, VNI 5900, our magic: its send time", good, SENT_AT),
            new Case("not translated (private source)", returned("10.1.1.10", Topology.PUBLIC_VNI, TrafficEndpoint.MAGIC), 0),
            new Case("the VPC's VNI", returned(Topology.SNAT_ADDRESS, Topology.VPC_VNI, TrafficEndpoint.MAGIC), 0),
            new Case("someone else's payload", returned(Topology.SNAT_ADDRESS, Topology.PUBLIC_VNI, 0x1234_5678), 0),
            new Case("cut before the timestamp", truncated, 0),
            new Case("not IPv4", PacketBuilder.ethernet(1L, 2L).etherType(0x0806).payload(120).build(), 0));
        for (Case testCase : cases) {
            UnsafeBuffer buffer = new UnsafeBuffer(new byte[testCase.frame().length + 64]);
            buffer.putBytes(32, testCase.frame());
            assertEquals(testCase.expected(), TrafficEndpoint.check(buffer, 32, testCase.frame().length, SNAT),
                testCase.description());
        }
    }
}
