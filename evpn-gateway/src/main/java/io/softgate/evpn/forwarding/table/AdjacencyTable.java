package io.softgate.evpn.forwarding.table;

import static java.nio.ByteOrder.BIG_ENDIAN;

import io.softgate.core.packet.Checksums;
import io.softgate.core.packet.EthernetFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.UdpFlyweight;
import io.softgate.core.packet.VxlanFlyweight;
import io.softgate.core.packet.PacketWords;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Resolved next hops: per adjacency (remote VTEP, its router MAC, the L3VNI to send with), a
 * precompiled 64-byte header that VXLAN encapsulation writes in front of the inner IP packet:
 *
 * <pre>
 *  0  outer Ethernet: dst = underlay next hop, src = our underlay MAC, type IPv4      (14)
 * 14  outer IPv4: 0x45, TOS*, total length*, id*, DF, TTL 64, UDP, checksum*,
 *     src = our VTEP, dst = remote VTEP                                                (20)
 * 34  UDP: source port*, 4789, length*, checksum 0 (RFC 7348 §5)                      (8)
 * 42  VXLAN: flags I, VNI = the VRF's L3VNI                                            (8)
 * 50  inner Ethernet: dst = remote router MAC, src = our router MAC, type*             (14)
 * </pre>
 * Fields marked * are patched per packet; the IPv4 checksum is finished from
 * {@link #headerSum} (the one's-complement sum of the template with those fields zero).
 * An {@linkplain #isIpPort IP-port} adjacency has no header: the IP packet leaves bare on its port.
 *
 * <p>Threading: immutable after construction; read from any thread.
 */
public final class AdjacencyTable {
    public static final int HEADER_LENGTH = 64;
    public static final int OUTER_IPV4_OFFSET = EthernetFlyweight.HEADER_LENGTH;
    public static final int OUTER_UDP_OFFSET = OUTER_IPV4_OFFSET + Ipv4Flyweight.MIN_HEADER_LENGTH;
    public static final int VXLAN_OFFSET = OUTER_UDP_OFFSET + UdpFlyweight.HEADER_LENGTH;
    public static final int INNER_ETHERNET_OFFSET = VXLAN_OFFSET + VxlanFlyweight.HEADER_LENGTH;
    public static final int OUTER_TTL = 64;
    private static final int LONGS_PER_HEADER = HEADER_LENGTH / 8;

    private final int[] vtepAddress;
    private final long[] routerMac;
    private final int[] vni;
    private final int[] egressPort;
    private final long[] underlayNextHopMac;
    private final long[] headerTemplate;
    private final int[] headerSum;
    private final boolean[] ipPort;

    /** Builds a table of VXLAN adjacencies only; all arrays are indexed by adjacency and have the same length. */
    public AdjacencyTable(int localVtep, long localUnderlayMac, long localRouterMac, int[] vtepAddress,
                          long[] routerMac, int[] vni, int[] egressPort, long[] underlayNextHopMac) {
        this(localVtep, localUnderlayMac, localRouterMac, vtepAddress, routerMac, vni, egressPort, underlayNextHopMac,
            new boolean[vtepAddress.length]);
    }

    /**
     * Builds the table; {@code ipPort[a]} marks adjacency {@code a} as an IP port (its VTEP, MAC
     * and VNI entries are unused). All arrays are indexed by adjacency and have the same length.
     */
    public AdjacencyTable(int localVtep, long localUnderlayMac, long localRouterMac, int[] vtepAddress,
                          long[] routerMac, int[] vni, int[] egressPort, long[] underlayNextHopMac, boolean[] ipPort) {
        int count = vtepAddress.length;
        this.ipPort = ipPort.clone();
        this.vtepAddress = vtepAddress.clone();
        this.routerMac = routerMac.clone();
        this.vni = vni.clone();
        this.egressPort = egressPort.clone();
        this.underlayNextHopMac = underlayNextHopMac.clone();
        this.headerTemplate = new long[count * LONGS_PER_HEADER];
        this.headerSum = new int[count];
        UnsafeBuffer header = new UnsafeBuffer(new byte[HEADER_LENGTH]);
        for (int a = 0; a < count; a++) {
            header.setMemory(0, HEADER_LENGTH, (byte) 0);
            EthernetFlyweight.destinationMac(header, 0, underlayNextHopMac[a]);
            EthernetFlyweight.sourceMac(header, 0, localUnderlayMac);
            EthernetFlyweight.etherType(header, 0, EthernetFlyweight.ETHER_TYPE_IPV4);
            int ip = OUTER_IPV4_OFFSET;
            header.putByte(ip, (byte) 0x45);
            // RFC 7348 §4.3 / RFC 6864: the outer packet must not be fragmented, so DF and no
            // fragmentation on our side.
            header.putShort(ip + Ipv4Flyweight.FLAGS_FRAGMENT_OFFSET, (short) Ipv4Flyweight.FLAG_DONT_FRAGMENT,
                BIG_ENDIAN);
            Ipv4Flyweight.ttl(header, ip, OUTER_TTL);
            header.putByte(ip + Ipv4Flyweight.PROTOCOL_OFFSET, (byte) Ipv4Flyweight.PROTOCOL_UDP);
            Ipv4Flyweight.source(header, ip, localVtep);
            Ipv4Flyweight.destination(header, ip, vtepAddress[a]);
            headerSum[a] = Checksums.fold(Checksums.sum(header, ip, Ipv4Flyweight.MIN_HEADER_LENGTH));
            UdpFlyweight.destinationPort(header, OUTER_UDP_OFFSET, VxlanFlyweight.UDP_PORT);
            VxlanFlyweight.write(header, VXLAN_OFFSET, vni[a]);
            EthernetFlyweight.destinationMac(header, INNER_ETHERNET_OFFSET, routerMac[a]);
            EthernetFlyweight.sourceMac(header, INNER_ETHERNET_OFFSET, localRouterMac);
            for (int i = 0; i < LONGS_PER_HEADER; i++) {
                headerTemplate[a * LONGS_PER_HEADER + i] = header.getLong(i * 8, BIG_ENDIAN);
            }
        }
    }

    public int size() {
        return vtepAddress.length;
    }

    /**
     * Writes adjacency {@code adjacency}'s 64-byte header at {@code offset}, in front of an inner
     * IP packet of {@code innerIpLength} bytes, with the per-packet fields filled in: outer TOS,
     * total length, identification and checksum, UDP source port and length, inner EtherType.
     * Checks once that the 64 bytes lie inside {@code buffer}, then writes as the raw variant.
     */
    public void writeHeader(UnsafeBuffer buffer, int offset, int adjacency, int innerIpLength, int tos,
                            int identification, int udpSourcePort, int innerEtherType) {
        buffer.boundsCheck(offset, HEADER_LENGTH);
        writeHeader(PacketWords.base(buffer), PacketWords.address(buffer, offset), adjacency, innerIpLength, tos,
            identification, udpSourcePort, innerEtherType);
    }

    /**
     * As {@link #writeHeader(UnsafeBuffer, int, int, int, int, int, int, int)}, at a raw address
     * ({@code base} and {@code address} as for {@link PacketWords}) with no bounds check: for the
     * encap stage's common case, which has checked that the 64 bytes lie inside the packet's frame.
     * The template is held as big-endian longs and the fields are or-ed into them in registers,
     * so the header costs eight 8-byte stores.
     */
    public void writeHeader(byte[] base, long address, int adjacency, int innerIpLength, int tos,
                            int identification, int udpSourcePort, int innerEtherType) {
        int at = adjacency * LONGS_PER_HEADER;
        long[] template = headerTemplate;
        int outerLength = innerIpLength + (HEADER_LENGTH - OUTER_IPV4_OFFSET);
        int udpLength = innerIpLength + (HEADER_LENGTH - OUTER_UDP_OFFSET);
        int checksum = ~Checksums.fold((long) headerSum[adjacency] + tos + outerLength + identification) & 0xFFFF;
        PacketWords.putLong(base, address, template[at]);
        // Bytes 8-15 end with the version/IHL byte and the TOS (byte 15).
        PacketWords.putLong(base, address + 8, template[at + 1] | tos);
        // Bytes 16-23: total length, identification, flags/fragment, TTL, protocol.
        PacketWords.putLong(base, address + 16,
            template[at + 2] | ((long) outerLength << 48) | ((long) identification << 32));
        // Bytes 24-31: checksum, source address, first half of the destination.
        PacketWords.putLong(base, address + 24, template[at + 3] | ((long) checksum << 48));
        // Bytes 32-39: rest of the destination, UDP source port, destination port, length.
        PacketWords.putLong(base, address + 32, template[at + 4] | ((long) udpSourcePort << 32) | udpLength);
        PacketWords.putLong(base, address + 40, template[at + 5]);
        PacketWords.putLong(base, address + 48, template[at + 6]);
        // Bytes 56-63 end with the inner EtherType.
        PacketWords.putLong(base, address + 56, template[at + 7] | innerEtherType);
    }

    /** Folded one's-complement sum of the outer IPv4 header template (patched fields zero). */
    public int headerSum(int adjacency) {
        return headerSum[adjacency];
    }

    /** Whether {@code adjacency} sends the bare IP packet out of an IP port (no header written). */
    public boolean isIpPort(int adjacency) {
        return ipPort[adjacency];
    }

    public int egressPort(int adjacency) {
        return egressPort[adjacency];
    }

    public int vtepAddress(int adjacency) {
        return vtepAddress[adjacency];
    }

    public long routerMac(int adjacency) {
        return routerMac[adjacency];
    }

    public int vni(int adjacency) {
        return vni[adjacency];
    }

    public long underlayNextHopMac(int adjacency) {
        return underlayNextHopMac[adjacency];
    }
}
