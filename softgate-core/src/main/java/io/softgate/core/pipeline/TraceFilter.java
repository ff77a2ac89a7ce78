package io.softgate.core.pipeline;

import io.softgate.core.packet.Ipv4Flyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Which packets a trace follows, compiled by the control plane: the VXLAN VNI and the VRF they
 * were decapsulated into, the inner IPv4 source and destination prefixes, the IP protocol and the
 * L4 ports; {@link #ANY} (or prefix length 0) matches everything. Evaluated once per packet,
 * after the pipeline's entry stage (decapsulation has set the VNI, VRF and inner offsets), and
 * only while a trace is armed.
 *
 * <p>Threading: immutable; read by every worker.
 */
public final class TraceFilter {
    /** A field value that matches any packet. */
    public static final int ANY = -1;
    /** Matches every packet. */
    public static final TraceFilter EVERYTHING = new TraceFilter(ANY, ANY, 0, 0, 0, 0, ANY, ANY, ANY);

    private final int vni;
    private final int vrf;
    private final int sourceAddress;
    private final int sourceMask;
    private final int destinationAddress;
    private final int destinationMask;
    private final int protocol;
    private final int sourcePort;
    private final int destinationPort;
    private final boolean addressFields;

    /**
     * @param sourceLength      prefix length of {@code sourceAddress} (0 = any source)
     * @param destinationLength prefix length of {@code destinationAddress} (0 = any destination)
     */
    public TraceFilter(int vni, int vrf, int sourceAddress, int sourceLength, int destinationAddress,
                       int destinationLength, int protocol, int sourcePort, int destinationPort) {
        if (sourceLength < 0 || sourceLength > 32 || destinationLength < 0 || destinationLength > 32) {
            throw new IllegalArgumentException("prefix lengths must be 0..32");
        }
        this.vni = vni;
        this.vrf = vrf;
        this.sourceMask = sourceLength == 0 ? 0 : -1 << (32 - sourceLength);
        this.sourceAddress = sourceAddress & sourceMask;
        this.destinationMask = destinationLength == 0 ? 0 : -1 << (32 - destinationLength);
        this.destinationAddress = destinationAddress & destinationMask;
        this.protocol = protocol;
        this.sourcePort = sourcePort;
        this.destinationPort = destinationPort;
        this.addressFields = sourceLength != 0 || destinationLength != 0 || protocol != ANY || sourcePort != ANY
            || destinationPort != ANY;
    }

    /** True when the packet in {@code slot} (decapsulated) matches; never throws on a short or odd packet. */
    public boolean matches(PacketBatch batch, int slot) {
        if (vni != ANY && batch.vni[slot] != vni) {
            return false;
        }
        if (vrf != ANY && batch.vrf[slot] != vrf) {
            return false;
        }
        if (!addressFields) {
            return true;
        }
        int l3 = batch.l3Offset[slot];
        if (l3 == PacketBatch.UNSET || (batch.flags[slot] & PacketFlags.INNER_IPV6) != 0
            || l3 + 20 > batch.offset[slot] + batch.length[slot]) {
            return false;
        }
        UnsafeBuffer buffer = batch.buffer();
        int source = Ipv4Flyweight.source(buffer, l3);
        int destination = Ipv4Flyweight.destination(buffer, l3);
        int packetProtocol = Ipv4Flyweight.protocol(buffer, l3);
        if ((source & sourceMask) != sourceAddress || (destination & destinationMask) != destinationAddress
            || (protocol != ANY && packetProtocol != protocol)) {
            return false;
        }
        if (sourcePort == ANY && destinationPort == ANY) {
            return true;
        }
        int l4 = batch.l4Offset[slot];
        if ((packetProtocol != 6 && packetProtocol != 17) || l4 == PacketBatch.UNSET
            || l4 + 4 > batch.offset[slot] + batch.length[slot]) {
            return false;
        }
        // TCP and UDP both start with the source port, then the destination port (RFC 793, RFC 768).
        int packetSourcePort = buffer.getShort(l4, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF;
        int packetDestinationPort = buffer.getShort(l4 + 2, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF;
        return (sourcePort == ANY || packetSourcePort == sourcePort)
            && (destinationPort == ANY || packetDestinationPort == destinationPort);
    }
}
