package io.softgate.evpn.forwarding.stage;

import static java.nio.ByteOrder.BIG_ENDIAN;

import io.softgate.core.packet.Checksums;
import io.softgate.core.packet.EthernetFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.Ipv6Flyweight;
import io.softgate.core.pipeline.DropReason;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.Stage;
import io.softgate.core.pipeline.StageContext;
import io.softgate.core.pipeline.StageVector;
import io.softgate.evpn.forwarding.table.AdjacencyTable;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code vxlan-encap}: writes the chosen adjacency's precompiled 64-byte header (outer Ethernet,
 * outer IPv4, UDP, VXLAN, inner Ethernet; see {@link AdjacencyTable}) directly in front of the
 * inner IP packet, in the bytes the received outer headers occupied, and patches the per-packet
 * fields: outer TOS copied from the inner packet (RFC 6040 §4.1 normal mode for ECN; DSCP kept,
 * the uniform model), total length, a per-worker identification, the checksum finished from the
 * template's precomputed sum, the UDP source port from the flow hash (RFC 7348 §5) and length,
 * and the inner EtherType. The packet then leaves by the adjacency's port ({@link Stage#TRANSMIT}).
 *
 * <p>Threading: one instance per worker; {@link #process} runs on that worker's thread only.
 */
public final class VxlanEncapStage implements Stage {
    public static final String NAME = "vxlan-encap";
    /** Bytes written in front of the inner IP packet. */
    public static final int HEADER_LENGTH = AdjacencyTable.HEADER_LENGTH;

    private static final int IP = AdjacencyTable.OUTER_IPV4_OFFSET;
    private static final int UDP = AdjacencyTable.OUTER_UDP_OFFSET;
    private static final int INNER_ETHER_TYPE = AdjacencyTable.INNER_ETHERNET_OFFSET
        + EthernetFlyweight.ETHER_TYPE_OFFSET;
    /** Outer IPv4 + UDP + VXLAN + inner Ethernet in front of the inner IP packet. */
    private static final int OUTER_IP_OVERHEAD = HEADER_LENGTH - IP;
    private static final int UDP_OVERHEAD = HEADER_LENGTH - UDP;

    private static final List<String> NEXT = List.of(Stage.TRANSMIT);

    private int nextIdentification;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> nextStages() {
        return NEXT;
    }

    @Override
    public DropReason[] dropReasons() {
        return EncapDropReason.values();
    }

    @Override
    public void process(PacketBatch batch, StageVector input, StageContext context) {
        ForwardingTables tables = context.snapshot().get(ForwardingTables.SLOT);
        int size = input.size();
        if (tables == null) {
            for (int i = 0; i < size; i++) {
                context.drop(input.slot(i), EncapDropReason.NOT_CONFIGURED);
            }
            return;
        }
        AdjacencyTable adjacencies = tables.adjacencies();
        UnsafeBuffer buffer = batch.buffer();
        for (int i = 0; i < size; i++) {
            int slot = input.slot(i);
            EncapDropReason reason = encapsulate(batch, buffer, slot, adjacencies);
            if (reason == null) {
                context.forward(0, slot);
            } else {
                context.drop(slot, reason);
            }
        }
    }

    private EncapDropReason encapsulate(PacketBatch batch, UnsafeBuffer buffer, int slot, AdjacencyTable adjacencies) {
        int adjacency = batch.adjacency[slot];
        if (adjacency < 0 || adjacency >= adjacencies.size()) {
            return EncapDropReason.NO_ADJACENCY;
        }
        int ip = batch.l3Offset[slot];
        if (ip < 0) {
            return EncapDropReason.NO_INNER_PACKET;
        }
        int start = ip - HEADER_LENGTH;
        if (start < batch.frameStart(slot)) {
            return EncapDropReason.NO_HEADROOM;
        }
        boolean ipv6 = (batch.flags[slot] & PacketFlags.INNER_IPV6) != 0;
        int ipLength;
        int tos;
        int innerEtherType;
        if (ipv6) {
            int firstWord = buffer.getInt(ip, BIG_ENDIAN);
            ipLength = Ipv6Flyweight.HEADER_LENGTH + Ipv6Flyweight.payloadLength(buffer, ip);
            tos = (firstWord >>> 20) & 0xFF;
            innerEtherType = EthernetFlyweight.ETHER_TYPE_IPV6;
        } else {
            ipLength = Ipv4Flyweight.totalLength(buffer, ip);
            tos = Ipv4Flyweight.tos(buffer, ip);
            innerEtherType = EthernetFlyweight.ETHER_TYPE_IPV4;
        }
        if (ip + ipLength > batch.frameEnd(slot)) {
            return EncapDropReason.INNER_LENGTH_OUTSIDE_FRAME;
        }
        adjacencies.writeHeader(buffer, start, adjacency);
        int outerLength = ipLength + OUTER_IP_OVERHEAD;
        int identification = nextIdentification++ & 0xFFFF;
        buffer.putByte(start + IP + Ipv4Flyweight.TOS_OFFSET, (byte) tos);
        buffer.putShort(start + IP + Ipv4Flyweight.TOTAL_LENGTH_OFFSET, (short) outerLength, BIG_ENDIAN);
        buffer.putShort(start + IP + Ipv4Flyweight.IDENTIFICATION_OFFSET, (short) identification, BIG_ENDIAN);
        int checksum = ~Checksums.fold((long) adjacencies.headerSum(adjacency) + tos + outerLength + identification)
            & 0xFFFF;
        buffer.putShort(start + IP + Ipv4Flyweight.CHECKSUM_OFFSET, (short) checksum, BIG_ENDIAN);
        buffer.putShort(start + UDP, (short) FlowHash.udpSourcePort(batch.flowHash[slot]), BIG_ENDIAN);
        buffer.putShort(start + UDP + 4, (short) (ipLength + UDP_OVERHEAD), BIG_ENDIAN);
        buffer.putShort(start + INNER_ETHER_TYPE, (short) innerEtherType, BIG_ENDIAN);
        batch.offset[slot] = start;
        batch.length[slot] = ipLength + HEADER_LENGTH;
        batch.egressPort[slot] = adjacencies.egressPort(adjacency);
        return null;
    }
}
