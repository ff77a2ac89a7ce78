package io.softgate.evpn.forwarding.stage;

import static java.nio.ByteOrder.BIG_ENDIAN;

import io.softgate.core.memory.FrameMemory;
import io.softgate.core.packet.EthernetFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.Ipv6Flyweight;
import io.softgate.core.pipeline.DropReason;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.Stage;
import io.softgate.core.pipeline.StageContext;
import io.softgate.core.pipeline.StageVector;
import io.softgate.core.packet.PacketWords;
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
 * An IP-port adjacency (e.g. a TUN uplink) gets no header: the bare IP packet leaves by its port.
 *
 * <p>Threading: one instance per worker; {@link #process} runs on that worker's thread only.
 */
public final class VxlanEncapStage implements Stage {
    public static final String NAME = "vxlan-encap";
    /** Bytes written in front of the inner IP packet. */
    public static final int HEADER_LENGTH = AdjacencyTable.HEADER_LENGTH;

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
        byte[] base = PacketWords.base(buffer);
        long bufferAddress = PacketWords.address(buffer, 0);
        int[] adjacencyOf = batch.adjacency;
        int[] l3Offsets = batch.l3Offset;
        int[] flags = batch.flags;
        int[] frames = batch.frame;
        int[] offsets = batch.offset;
        int[] lengths = batch.length;
        int[] egressPorts = batch.egressPort;
        int[] flowHashes = batch.flowHash;
        FrameMemory memory = batch.memory();
        int adjacencyCount = adjacencies.size();
        int identification = nextIdentification;
        /*
         * The common case in the loop itself (no call per packet): an inner IPv4 packet to a VXLAN
         * adjacency, with room for the header in front and the packet inside its frame. Anything
         * else leaves the block having written nothing, and encapsulate() checks and decides as
         * before. The two loops differ only in where the slot comes from (see SlotOrder).
         */
        if (SlotOrder.isInOrder(input, size)) {
            for (int slot = 0; slot < size; slot++) {
                int adjacency = adjacencyOf[slot];
                int ip = l3Offsets[slot];
                commonCase:
                if (adjacency >= 0 && adjacency < adjacencyCount && ip >= 0
                    && (flags[slot] & PacketFlags.INNER_IPV6) == 0 && !adjacencies.isIpPort(adjacency)) {
                    int start = ip - HEADER_LENGTH;
                    int frame = frames[slot];
                    int frameStart = memory.frameOffset(frame);
                    int frameEnd = memory.frameEnd(frame);
                    // The frame lies inside the buffer, so a header and a packet inside it need no more checks.
                    if (start < frameStart || ip > frameEnd - Ipv4Flyweight.MIN_HEADER_LENGTH) {
                        break commonCase;
                    }
                    int word0 = PacketWords.getInt(base, bufferAddress + ip);
                    int ipLength = word0 & 0xFFFF;
                    if (ip + ipLength > frameEnd) {
                        break commonCase;
                    }
                    adjacencies.writeHeader(base, bufferAddress + start, adjacency, ipLength, (word0 >>> 16) & 0xFF,
                        identification++ & 0xFFFF, FlowHash.udpSourcePort(flowHashes[slot]),
                        EthernetFlyweight.ETHER_TYPE_IPV4);
                    offsets[slot] = start;
                    lengths[slot] = ipLength + HEADER_LENGTH;
                    egressPorts[slot] = adjacencies.egressPort(adjacency);
                    context.forward(0, slot);
                    continue;
                }
                nextIdentification = identification;
                encapsulateOrDrop(batch, buffer, slot, adjacencies, context);
                identification = nextIdentification;
            }
        } else {
            for (int i = 0; i < size; i++) {
                int slot = input.slot(i);
                int adjacency = adjacencyOf[slot];
                int ip = l3Offsets[slot];
                commonCase:
                if (adjacency >= 0 && adjacency < adjacencyCount && ip >= 0
                    && (flags[slot] & PacketFlags.INNER_IPV6) == 0 && !adjacencies.isIpPort(adjacency)) {
                    int start = ip - HEADER_LENGTH;
                    int frame = frames[slot];
                    int frameStart = memory.frameOffset(frame);
                    int frameEnd = memory.frameEnd(frame);
                    // The frame lies inside the buffer, so a header and a packet inside it need no more checks.
                    if (start < frameStart || ip > frameEnd - Ipv4Flyweight.MIN_HEADER_LENGTH) {
                        break commonCase;
                    }
                    int word0 = PacketWords.getInt(base, bufferAddress + ip);
                    int ipLength = word0 & 0xFFFF;
                    if (ip + ipLength > frameEnd) {
                        break commonCase;
                    }
                    adjacencies.writeHeader(base, bufferAddress + start, adjacency, ipLength, (word0 >>> 16) & 0xFF,
                        identification++ & 0xFFFF, FlowHash.udpSourcePort(flowHashes[slot]),
                        EthernetFlyweight.ETHER_TYPE_IPV4);
                    offsets[slot] = start;
                    lengths[slot] = ipLength + HEADER_LENGTH;
                    egressPorts[slot] = adjacencies.egressPort(adjacency);
                    context.forward(0, slot);
                    continue;
                }
                nextIdentification = identification;
                encapsulateOrDrop(batch, buffer, slot, adjacencies, context);
                identification = nextIdentification;
            }
        }
        nextIdentification = identification;
    }

    private void encapsulateOrDrop(PacketBatch batch, UnsafeBuffer buffer, int slot, AdjacencyTable adjacencies,
                                   StageContext context) {
        EncapDropReason reason = encapsulate(batch, buffer, slot, adjacencies);
        if (reason == null) {
            context.forward(0, slot);
        } else {
            context.drop(slot, reason);
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
            int word0 = buffer.getInt(ip, BIG_ENDIAN);
            ipLength = word0 & 0xFFFF;
            tos = (word0 >>> 16) & 0xFF;
            innerEtherType = EthernetFlyweight.ETHER_TYPE_IPV4;
        }
        if (ip + ipLength > batch.frameEnd(slot)) {
            return EncapDropReason.INNER_LENGTH_OUTSIDE_FRAME;
        }
        if (adjacencies.isIpPort(adjacency)) {
            // An IP port (TUN) takes the bare IP packet: nothing is written in front of it.
            batch.offset[slot] = ip;
            batch.length[slot] = ipLength;
            batch.egressPort[slot] = adjacencies.egressPort(adjacency);
            return null;
        }
        int start = ip - HEADER_LENGTH;
        if (start < batch.frameStart(slot)) {
            return EncapDropReason.NO_HEADROOM;
        }
        adjacencies.writeHeader(buffer, start, adjacency, ipLength, tos, nextIdentification++ & 0xFFFF,
            FlowHash.udpSourcePort(batch.flowHash[slot]), innerEtherType);
        batch.offset[slot] = start;
        batch.length[slot] = ipLength + HEADER_LENGTH;
        batch.egressPort[slot] = adjacencies.egressPort(adjacency);
        return null;
    }
}
