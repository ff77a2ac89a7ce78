package io.softgate.core.packet;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.softgate.core.memory.FrameMemory;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Feeds arbitrary bytes to every header parser of the core, the way a stage would chain them:
 * Ethernet (with tags), ARP, IPv4 (with options), IPv6 (extension headers), TCP options, VXLAN.
 * Regression mode runs the checked-in inputs under plain {@code mvn test}; {@code JAZZER_FUZZ=1}
 * fuzzes. No parser may throw or read outside the frame.
 */
class HeaderChainFuzzTest {
    private static final FrameMemory MEMORY = new FrameMemory(1);
    private static final UnsafeBuffer BUFFER = MEMORY.buffer();

    @FuzzTest(maxDuration = "30s")
    void shouldNeverThrowOnArbitraryFrames(FuzzedDataProvider data) {
        byte[] bytes = data.consumeRemainingAsBytes();
        int start = MEMORY.headroom();
        int length = Math.min(bytes.length, MEMORY.frameSize() - start);
        BUFFER.setMemory(0, MEMORY.frameSize(), (byte) 0);
        BUFFER.putBytes(start, bytes, 0, length);
        parseChain(BUFFER, start, length);
    }

    /** The order of checks every stage follows: validate a header before reading past it. */
    static int parseChain(UnsafeBuffer buffer, int offset, int length) {
        int l2 = EthernetFlyweight.headerLength(buffer, offset, length);
        if (l2 < 0) {
            return -1;
        }
        int type = EthernetFlyweight.payloadEtherType(buffer, offset, l2);
        int ip = offset + l2;
        int available = length - l2;
        if (type == EthernetFlyweight.ETHER_TYPE_ARP) {
            return ArpFlyweight.isEthernetIpv4(buffer, ip, available) ? ArpFlyweight.operation(buffer, ip) : -1;
        }
        int protocol;
        int l4;
        int l4Available;
        if (type == EthernetFlyweight.ETHER_TYPE_IPV4) {
            int headerLength = Ipv4Flyweight.validate(buffer, ip, available);
            if (headerLength < 0 || Ipv4Flyweight.fragmentOffsetBytes(buffer, ip) != 0) {
                return -1;
            }
            protocol = Ipv4Flyweight.protocol(buffer, ip);
            l4 = ip + headerLength;
            l4Available = Ipv4Flyweight.totalLength(buffer, ip) - headerLength;
        } else if (type == EthernetFlyweight.ETHER_TYPE_IPV6) {
            int total = Ipv6Flyweight.validate(buffer, ip, available);
            if (total < 0) {
                return -1;
            }
            long walk = Ipv6Flyweight.walkExtensionHeaders(buffer, ip, total);
            if (walk < 0 || (Ipv6Flyweight.walkFragmentBits(walk) & Ipv6Flyweight.WALK_NON_FIRST_FRAGMENT) != 0) {
                return -1;
            }
            protocol = Ipv6Flyweight.walkProtocol(walk);
            l4 = ip + Ipv6Flyweight.walkL4Offset(walk);
            l4Available = total - Ipv6Flyweight.walkL4Offset(walk);
        } else {
            return -1;
        }
        if (protocol == Ipv4Flyweight.PROTOCOL_TCP) {
            return TcpFlyweight.validate(buffer, l4, l4Available) < 0 ? -1 : TcpFlyweight.findMssOption(buffer, l4);
        }
        if (protocol == Ipv4Flyweight.PROTOCOL_UDP && l4Available >= UdpFlyweight.HEADER_LENGTH) {
            int port = UdpFlyweight.destinationPort(buffer, l4);
            if (port == VxlanFlyweight.UDP_PORT && l4Available >= UdpFlyweight.HEADER_LENGTH + VxlanFlyweight.HEADER_LENGTH) {
                int vxlan = l4 + UdpFlyweight.HEADER_LENGTH;
                int inner = vxlan + VxlanFlyweight.HEADER_LENGTH;
                int innerLength = l4Available - UdpFlyweight.HEADER_LENGTH - VxlanFlyweight.HEADER_LENGTH;
                return VxlanFlyweight.vni(buffer, vxlan) + parseChain(buffer, inner, innerLength);
            }
            return port;
        }
        if ((protocol == Ipv4Flyweight.PROTOCOL_ICMP || protocol == Ipv4Flyweight.PROTOCOL_ICMPV6)
            && l4Available >= IcmpFlyweight.HEADER_LENGTH) {
            return IcmpFlyweight.type(buffer, l4);
        }
        return protocol;
    }
}
