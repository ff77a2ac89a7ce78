package io.softgate.core.packet;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Builds whole packets as byte arrays, layer by layer, for tests, tools and golden tables:
 * {@code PacketBuilder.ethernet(src, dst).ipv4("10.0.0.1", "10.0.0.2").udp(1000, 53).payload(n).build()}.
 * Lengths and checksums are computed unless a test overrides them to build malformed input.
 *
 * <p>Threading: a builder is used by one thread; it allocates freely (never on the packet path).
 */
public final class PacketBuilder {
    private enum L3 { NONE, IPV4, IPV6 }

    private enum L4 { NONE, UDP, TCP, ICMP, RAW }

    private final long sourceMac;
    private final long destinationMac;
    private int vlanId = -1;
    private int etherTypeOverride = -1;

    private L3 l3 = L3.NONE;
    private int ipv4Source;
    private int ipv4Destination;
    private final byte[] ipv6Source = new byte[16];
    private final byte[] ipv6Destination = new byte[16];
    private int ttl = 64;
    private int tos;
    private int identification;
    private int flagsAndFragment;
    private byte[] ipv4Options = new byte[0];
    private byte[] ipv6ExtensionHeaders = new byte[0];
    private int ipv6FirstNextHeader = -1;
    private int totalLengthOverride = -1;
    private int ihlOverride = -1;
    private boolean corruptIpChecksum;
    private int protocolOverride = -1;

    private L4 l4 = L4.NONE;
    private int sourcePort;
    private int destinationPort;
    private int tcpFlags = TcpFlyweight.FLAG_ACK;
    private int tcpSequence;
    private int tcpAcknowledgment;
    private int tcpWindow = 65535;
    private byte[] tcpOptions = new byte[0];
    private int icmpType;
    private int icmpCode;
    private int icmpRest;
    private int rawProtocol;
    private boolean corruptL4Checksum;
    private boolean zeroUdpChecksum;
    private byte[] payload = new byte[0];
    private int truncateTo = -1;

    private PacketBuilder(long sourceMac, long destinationMac) {
        this.sourceMac = sourceMac;
        this.destinationMac = destinationMac;
    }

    /** Starts an Ethernet II frame. */
    public static PacketBuilder ethernet(long sourceMac, long destinationMac) {
        return new PacketBuilder(sourceMac, destinationMac);
    }

    /** Starts an Ethernet II frame; MACs as "02:00:00:00:00:01". */
    public static PacketBuilder ethernet(String sourceMac, String destinationMac) {
        return new PacketBuilder(parseMac(sourceMac), parseMac(destinationMac));
    }

    /**
     * Wraps {@code innerFrame} in outer Ethernet / IPv4 / UDP(4789) / VXLAN(vni), the way a VTEP
     * sends it (RFC 7348 §5); the outer UDP checksum is zero, as RFC 7348 allows.
     */
    public static byte[] vxlan(long outerSourceMac, long outerDestinationMac, String outerSource,
                               String outerDestination, int udpSourcePort, int vni, byte[] innerFrame) {
        byte[] vxlanAndInner = new byte[VxlanFlyweight.HEADER_LENGTH + innerFrame.length];
        VxlanFlyweight.write(new UnsafeBuffer(vxlanAndInner), 0, vni);
        System.arraycopy(innerFrame, 0, vxlanAndInner, VxlanFlyweight.HEADER_LENGTH, innerFrame.length);
        return ethernet(outerSourceMac, outerDestinationMac)
            .ipv4(outerSource, outerDestination).ttl(64).dontFragment()
            .udp(udpSourcePort, VxlanFlyweight.UDP_PORT).zeroUdpChecksum()
            .payload(vxlanAndInner).build();
    }

    public PacketBuilder vlan(int id) {
        this.vlanId = id;
        return this;
    }

    /** Overrides the (payload) EtherType, e.g. to build a frame of an unknown type. */
    public PacketBuilder etherType(int etherType) {
        this.etherTypeOverride = etherType;
        return this;
    }

    public PacketBuilder ipv4(String source, String destination) {
        return ipv4(Ipv4Flyweight.parse(source), Ipv4Flyweight.parse(destination));
    }

    public PacketBuilder ipv4(int source, int destination) {
        this.l3 = L3.IPV4;
        this.ipv4Source = source;
        this.ipv4Destination = destination;
        return this;
    }

    public PacketBuilder ipv6(String source, String destination) {
        this.l3 = L3.IPV6;
        System.arraycopy(parseIpv6(source), 0, ipv6Source, 0, 16);
        System.arraycopy(parseIpv6(destination), 0, ipv6Destination, 0, 16);
        return this;
    }

    public PacketBuilder ttl(int ttl) {
        this.ttl = ttl;
        return this;
    }

    /** Same as {@link #ttl} for IPv6 hop limit. */
    public PacketBuilder hopLimit(int hopLimit) {
        this.ttl = hopLimit;
        return this;
    }

    public PacketBuilder tos(int tos) {
        this.tos = tos;
        return this;
    }

    public PacketBuilder identification(int identification) {
        this.identification = identification;
        return this;
    }

    public PacketBuilder dontFragment() {
        this.flagsAndFragment |= Ipv4Flyweight.FLAG_DONT_FRAGMENT;
        return this;
    }

    /** IPv4 fragment: MF flag and offset in bytes (a multiple of 8). */
    public PacketBuilder fragment(boolean moreFragments, int offsetBytes) {
        this.flagsAndFragment = (flagsAndFragment & Ipv4Flyweight.FLAG_DONT_FRAGMENT)
            | (moreFragments ? Ipv4Flyweight.FLAG_MORE_FRAGMENTS : 0) | ((offsetBytes >> 3) & 0x1FFF);
        return this;
    }

    /** IPv4 options (padded by the caller to a multiple of 4 bytes). */
    public PacketBuilder ipv4Options(byte[] options) {
        this.ipv4Options = options.clone();
        return this;
    }

    /**
     * Raw IPv6 extension headers placed before the upper layer; {@code firstNextHeader} is the
     * fixed header's Next Header, and the last extension's Next Header must name the upper layer.
     */
    public PacketBuilder ipv6ExtensionHeaders(int firstNextHeader, byte[] headers) {
        this.ipv6FirstNextHeader = firstNextHeader;
        this.ipv6ExtensionHeaders = headers.clone();
        return this;
    }

    /** Writes this IPv4 total length (or IPv6 payload length) instead of the true one. */
    public PacketBuilder lengthField(int value) {
        this.totalLengthOverride = value;
        return this;
    }

    /** Writes this IHL (in 4-byte words) instead of the true one. */
    public PacketBuilder ihl(int words) {
        this.ihlOverride = words;
        return this;
    }

    public PacketBuilder protocol(int protocol) {
        this.protocolOverride = protocol;
        return this;
    }

    public PacketBuilder corruptIpChecksum() {
        this.corruptIpChecksum = true;
        return this;
    }

    public PacketBuilder udp(int sourcePort, int destinationPort) {
        this.l4 = L4.UDP;
        this.sourcePort = sourcePort;
        this.destinationPort = destinationPort;
        return this;
    }

    public PacketBuilder zeroUdpChecksum() {
        this.zeroUdpChecksum = true;
        return this;
    }

    public PacketBuilder tcp(int sourcePort, int destinationPort) {
        this.l4 = L4.TCP;
        this.sourcePort = sourcePort;
        this.destinationPort = destinationPort;
        return this;
    }

    public PacketBuilder tcpFlags(int flags) {
        this.tcpFlags = flags;
        return this;
    }

    public PacketBuilder tcpSequence(int sequence, int acknowledgment) {
        this.tcpSequence = sequence;
        this.tcpAcknowledgment = acknowledgment;
        return this;
    }

    public PacketBuilder tcpWindow(int window) {
        this.tcpWindow = window;
        return this;
    }

    /** TCP options (padded by the caller to a multiple of 4 bytes). */
    public PacketBuilder tcpOptions(byte[] options) {
        this.tcpOptions = options.clone();
        return this;
    }

    /** Adds an MSS option (kind 2, length 4). */
    public PacketBuilder tcpMss(int mss) {
        return tcpOptions(new byte[] {2, 4, (byte) (mss >> 8), (byte) mss});
    }

    /** ICMPv4 (on IPv4) or ICMPv6 (on IPv6) message; {@code rest} is the 32-bit rest-of-header. */
    public PacketBuilder icmp(int type, int code, int rest) {
        this.l4 = L4.ICMP;
        this.icmpType = type;
        this.icmpCode = code;
        this.icmpRest = rest;
        return this;
    }

    /** ICMP echo request with identifier and sequence (v4 or v6 by the IP layer). */
    public PacketBuilder icmpEcho(int identifier, int sequence) {
        int type = l3 == L3.IPV6 ? IcmpFlyweight.V6_ECHO_REQUEST : IcmpFlyweight.V4_ECHO_REQUEST;
        return icmp(type, 0, (identifier << 16) | (sequence & 0xFFFF));
    }

    /** An upper layer this builder does not model: only a protocol number and the payload. */
    public PacketBuilder rawProtocol(int protocol) {
        this.l4 = L4.RAW;
        this.rawProtocol = protocol;
        return this;
    }

    public PacketBuilder corruptL4Checksum() {
        this.corruptL4Checksum = true;
        return this;
    }

    public PacketBuilder payload(byte[] payload) {
        this.payload = payload.clone();
        return this;
    }

    /** A payload of {@code length} bytes with a recognisable pattern. */
    public PacketBuilder payload(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 7 + 3);
        }
        this.payload = bytes;
        return this;
    }

    /** Cuts the finished frame to {@code length} bytes (for truncated-header cases). */
    public PacketBuilder truncateTo(int length) {
        this.truncateTo = length;
        return this;
    }

    public byte[] build() {
        byte[] l4Bytes = buildL4();
        int l2Length = EthernetFlyweight.HEADER_LENGTH + (vlanId >= 0 ? EthernetFlyweight.VLAN_TAG_LENGTH : 0);
        int l3HeaderLength = switch (l3) {
            case IPV4 -> Ipv4Flyweight.MIN_HEADER_LENGTH + ipv4Options.length;
            case IPV6 -> Ipv6Flyweight.HEADER_LENGTH + ipv6ExtensionHeaders.length;
            case NONE -> 0;
        };
        byte[] frame = new byte[l2Length + l3HeaderLength + l4Bytes.length];
        UnsafeBuffer buffer = new UnsafeBuffer(frame);
        EthernetFlyweight.destinationMac(buffer, 0, destinationMac);
        EthernetFlyweight.sourceMac(buffer, 0, sourceMac);
        int etherType = etherTypeOverride >= 0 ? etherTypeOverride
            : l3 == L3.IPV6 ? EthernetFlyweight.ETHER_TYPE_IPV6 : EthernetFlyweight.ETHER_TYPE_IPV4;
        if (vlanId >= 0) {
            EthernetFlyweight.etherType(buffer, 0, EthernetFlyweight.ETHER_TYPE_VLAN);
            buffer.putShort(14, (short) vlanId, ByteOrder.BIG_ENDIAN);
            buffer.putShort(16, (short) etherType, ByteOrder.BIG_ENDIAN);
        } else {
            EthernetFlyweight.etherType(buffer, 0, etherType);
        }
        int ip = l2Length;
        int l4Offset = ip + l3HeaderLength;
        buffer.putBytes(l4Offset, l4Bytes);
        int protocol = protocolOverride >= 0 ? protocolOverride : l4Protocol();
        if (l3 == L3.IPV4) {
            writeIpv4(buffer, ip, l3HeaderLength, l4Bytes.length, protocol);
        } else if (l3 == L3.IPV6) {
            writeIpv6(buffer, ip, l4Bytes.length, protocol);
        }
        fillL4Checksum(buffer, ip, l4Offset, l4Bytes.length, protocol);
        if (truncateTo >= 0 && truncateTo < frame.length) {
            byte[] cut = new byte[truncateTo];
            System.arraycopy(frame, 0, cut, 0, truncateTo);
            return cut;
        }
        return frame;
    }

    private int l4Protocol() {
        return switch (l4) {
            case UDP -> Ipv4Flyweight.PROTOCOL_UDP;
            case TCP -> Ipv4Flyweight.PROTOCOL_TCP;
            case ICMP -> l3 == L3.IPV6 ? Ipv4Flyweight.PROTOCOL_ICMPV6 : Ipv4Flyweight.PROTOCOL_ICMP;
            case RAW -> rawProtocol;
            case NONE -> Ipv6Flyweight.NEXT_HEADER_NONE;
        };
    }

    private byte[] buildL4() {
        ByteBuffer bytes;
        switch (l4) {
            case UDP -> {
                bytes = ByteBuffer.allocate(UdpFlyweight.HEADER_LENGTH + payload.length);
                bytes.putShort((short) sourcePort).putShort((short) destinationPort)
                    .putShort((short) (UdpFlyweight.HEADER_LENGTH + payload.length)).putShort((short) 0);
            }
            case TCP -> {
                int headerLength = TcpFlyweight.MIN_HEADER_LENGTH + tcpOptions.length;
                bytes = ByteBuffer.allocate(headerLength + payload.length);
                bytes.putShort((short) sourcePort).putShort((short) destinationPort)
                    .putInt(tcpSequence).putInt(tcpAcknowledgment)
                    .put((byte) ((headerLength / 4) << 4)).put((byte) tcpFlags).putShort((short) tcpWindow)
                    .putShort((short) 0).putShort((short) 0).put(tcpOptions);
            }
            case ICMP -> {
                bytes = ByteBuffer.allocate(IcmpFlyweight.HEADER_LENGTH + payload.length);
                bytes.put((byte) icmpType).put((byte) icmpCode).putShort((short) 0).putInt(icmpRest);
            }
            default -> bytes = ByteBuffer.allocate(payload.length);
        }
        bytes.put(payload);
        return bytes.array();
    }

    private void writeIpv4(UnsafeBuffer buffer, int ip, int headerLength, int l4Length, int protocol) {
        int ihl = ihlOverride >= 0 ? ihlOverride : headerLength / 4;
        buffer.putByte(ip, (byte) (0x40 | (ihl & 0xF)));
        buffer.putByte(ip + Ipv4Flyweight.TOS_OFFSET, (byte) tos);
        Ipv4Flyweight.totalLength(buffer, ip, totalLengthOverride >= 0 ? totalLengthOverride : headerLength + l4Length);
        buffer.putShort(ip + Ipv4Flyweight.IDENTIFICATION_OFFSET, (short) identification, ByteOrder.BIG_ENDIAN);
        buffer.putShort(ip + Ipv4Flyweight.FLAGS_FRAGMENT_OFFSET, (short) flagsAndFragment, ByteOrder.BIG_ENDIAN);
        Ipv4Flyweight.ttl(buffer, ip, ttl);
        buffer.putByte(ip + Ipv4Flyweight.PROTOCOL_OFFSET, (byte) protocol);
        Ipv4Flyweight.source(buffer, ip, ipv4Source);
        Ipv4Flyweight.destination(buffer, ip, ipv4Destination);
        buffer.putBytes(ip + Ipv4Flyweight.MIN_HEADER_LENGTH, ipv4Options);
        Ipv4Flyweight.checksum(buffer, ip, 0);
        int checksum = Checksums.checksum(buffer, ip, headerLength);
        Ipv4Flyweight.checksum(buffer, ip, corruptIpChecksum ? checksum ^ 0x5A5A : checksum);
    }

    private void writeIpv6(UnsafeBuffer buffer, int ip, int l4Length, int protocol) {
        buffer.putInt(ip, 0x6000_0000 | (tos << 20), ByteOrder.BIG_ENDIAN);
        Ipv6Flyweight.payloadLength(buffer, ip,
            totalLengthOverride >= 0 ? totalLengthOverride : ipv6ExtensionHeaders.length + l4Length);
        buffer.putByte(ip + Ipv6Flyweight.NEXT_HEADER_OFFSET,
            (byte) (ipv6FirstNextHeader >= 0 ? ipv6FirstNextHeader : protocol));
        Ipv6Flyweight.hopLimit(buffer, ip, ttl);
        buffer.putBytes(ip + Ipv6Flyweight.SOURCE_OFFSET, ipv6Source);
        buffer.putBytes(ip + Ipv6Flyweight.DESTINATION_OFFSET, ipv6Destination);
        buffer.putBytes(ip + Ipv6Flyweight.HEADER_LENGTH, ipv6ExtensionHeaders);
    }

    private void fillL4Checksum(UnsafeBuffer buffer, int ip, int l4Offset, int l4Length, int protocol) {
        int checksumOffset;
        switch (l4) {
            case UDP -> checksumOffset = UdpFlyweight.CHECKSUM_OFFSET;
            case TCP -> checksumOffset = TcpFlyweight.CHECKSUM_OFFSET;
            case ICMP -> checksumOffset = IcmpFlyweight.CHECKSUM_OFFSET;
            default -> {
                return;
            }
        }
        if (l4 == L4.UDP && zeroUdpChecksum) {
            return;
        }
        int checksum;
        if (l4 == L4.ICMP && l3 == L3.IPV4) {
            checksum = Checksums.checksum(buffer, l4Offset, l4Length); // RFC 792: no pseudo-header
        } else if (l3 == L3.IPV6) {
            checksum = Checksums.ipv6L4Checksum(buffer, ip, l4Offset, l4Length, protocol);
        } else if (l3 == L3.IPV4) {
            checksum = Checksums.ipv4L4Checksum(buffer, ip, l4Offset, l4Length, protocol);
        } else {
            return;
        }
        if (l4 == L4.UDP && checksum == 0) {
            checksum = 0xFFFF; // RFC 768: a computed zero is sent as all ones
        }
        buffer.putShort(l4Offset + checksumOffset, (short) (corruptL4Checksum ? checksum ^ 0x5A5A : checksum),
            ByteOrder.BIG_ENDIAN);
    }

    /** Parses "aa:bb:cc:dd:ee:ff" into the low 48 bits of a long. */
    public static long parseMac(String text) {
        String[] parts = text.split(":");
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address: " + text);
        }
        long mac = 0;
        for (String part : parts) {
            mac = (mac << 8) | Integer.parseInt(part, 16);
        }
        return mac;
    }

    /** Formats the low 48 bits of a long as "aa:bb:cc:dd:ee:ff". */
    public static String formatMac(long mac) {
        StringBuilder text = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            if (shift != 40) {
                text.append(':');
            }
            text.append(String.format("%02x", (mac >>> shift) & 0xFF));
        }
        return text.toString();
    }

    /** Parses an IPv6 address in any textual form into 16 bytes (no host name lookups). */
    public static byte[] parseIpv6(String text) {
        if (!text.contains(":")) {
            throw new IllegalArgumentException("not an IPv6 address: " + text);
        }
        try {
            byte[] bytes = java.net.InetAddress.getByName(text).getAddress();
            if (bytes.length != 16) {
                throw new IllegalArgumentException("not an IPv6 address: " + text);
            }
            return bytes;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv6 address: " + text, e);
        }
    }
}
