package io.softgate.evpn.forwarding.stage;

import static java.nio.ByteOrder.BIG_ENDIAN;

import io.softgate.core.packet.Checksums;
import io.softgate.core.packet.EthernetFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.Ipv6Flyweight;
import io.softgate.core.packet.UdpFlyweight;
import io.softgate.core.packet.VxlanFlyweight;
import io.softgate.core.pipeline.DropReason;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.Stage;
import io.softgate.core.pipeline.StageContext;
import io.softgate.core.pipeline.StageVector;
import io.softgate.core.packet.PacketWords;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import io.softgate.evpn.forwarding.table.VniMap;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code vxlan-decap}: accepts {@code outer Ethernet (up to two VLAN tags) / IPv4 to our VTEP /
 * UDP 4789 / VXLAN (I flag, known VNI) / inner Ethernet to our router MAC / IPv4 or IPv6}, checks
 * every length against the bytes present and the IPv4 header checksums, and hands on the inner IP
 * packet: afterwards {@code offset}/{@code length} cover exactly the inner IP packet (Ethernet
 * padding trimmed), {@code l3Offset == offset}, and {@code vni}, {@code vrf}, {@code l4Offset}
 * (UNSET for non-first fragments), {@code flowHash} and {@code flags} (INNER_IPV6, FRAGMENT,
 * NON_FIRST_FRAGMENT, FROM_OUTSIDE for the outside VRF) are set. Everything else is a counted drop:
 * ARP, BGP and other non-VXLAN traffic is the kernel's business (the UDP and AF_XDP backends only
 * hand us UDP 4789). A packet from an IP port ({@code PacketFlags.L3_PACKET}, e.g. a TUN uplink)
 * starts at its IP header: it gets the inner checks only and the outside VRF (no VNI).
 *
 * <p>Decisions: RFC 7348 §5 says reserved flag bits are ignored on receipt, so only a clear I
 * flag drops; the outer UDP checksum is not verified (RFC 7348 §5 lets senders use zero; the
 * inner packet has its own checksums); the outer destination MAC is not checked (the NIC or the
 * kernel already filtered it); inner 802.1Q tags drop (RFC 7348 §6: SHOULD discard). Outer ECN CE
 * is carried into the inner header per RFC 6040 §4.2.
 *
 * <p>Threading: one instance per worker; {@link #process} runs on that worker's thread only.
 */
public final class VxlanDecapStage implements Stage {
    public static final String NAME = "vxlan-decap";

    private static final int ECN_MASK = 0x03;
    private static final int ECN_CE = 0x03;
    private static final int PROTOCOL_SCTP = 132;
    /** MF flag and fragment offset in the identification/flags word of an IPv4 header. */
    private static final int FRAGMENT_BITS = Ipv4Flyweight.FLAG_MORE_FRAGMENTS | Ipv4Flyweight.FRAGMENT_OFFSET_MASK;

    /** Where the inner IPv4 header starts in the common case (untagged outer Ethernet, no options). */
    private static final int INNER_IPV4_OFFSET = EthernetFlyweight.HEADER_LENGTH + Ipv4Flyweight.MIN_HEADER_LENGTH
        + UdpFlyweight.HEADER_LENGTH + VxlanFlyweight.HEADER_LENGTH + EthernetFlyweight.HEADER_LENGTH;
    /** The common case reads 88 bytes: the headers up to the inner IPv4 header and 4 bytes of L4. */
    private static final int FAST_PATH_MIN_LENGTH = INNER_IPV4_OFFSET + Ipv4Flyweight.MIN_HEADER_LENGTH + 4;
    /** EtherType IPv4, then version 4 with IHL 5, as bytes 12-14 of the frame (the top 24 bits of an int). */
    private static final int OUTER_TYPE_AND_VERSION = EthernetFlyweight.ETHER_TYPE_IPV4 << 16 | 0x4500;
    /** First byte of an IPv4 header without options: version 4, IHL 5. */
    private static final int IPV4_NO_OPTIONS = 0x45;
    /** Smallest UDP length holding VXLAN, inner Ethernet and an inner IPv4 header. */
    private static final int UDP_MIN_LENGTH_COMMON_CASE = UdpFlyweight.HEADER_LENGTH + VxlanFlyweight.HEADER_LENGTH
        + EthernetFlyweight.HEADER_LENGTH + Ipv4Flyweight.MIN_HEADER_LENGTH;
    private static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;

    private final List<String> nextStages;
    /** Where the touch pass leaves its (meaningless) sum, so the compiler keeps its loads. */
    private int touchSink;

    /** @param nextStage the stage decapsulated packets go to (the first feature, or the route stage) */
    public VxlanDecapStage(String nextStage) {
        this.nextStages = List.of(nextStage);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> nextStages() {
        return nextStages;
    }

    @Override
    public DropReason[] dropReasons() {
        return DecapDropReason.values();
    }

    @Override
    public void process(PacketBatch batch, StageVector input, StageContext context) {
        ForwardingTables tables = context.snapshot().get(ForwardingTables.SLOT);
        int size = input.size();
        if (tables == null) {
            for (int i = 0; i < size; i++) {
                context.drop(input.slot(i), DecapDropReason.NOT_CONFIGURED);
            }
            return;
        }
        UnsafeBuffer buffer = batch.buffer();
        int localVtep = tables.localVtep();
        long routerMac = tables.routerMac();
        byte[] base = PacketWords.base(buffer);
        if (tables.decapEntriesAreLarge()) {
            touchDecapEntries(batch, input, tables, buffer, base);
        }
        int[] flags = batch.flags;
        int[] offsets = batch.offset;
        int[] lengths = batch.length;
        int[] l3Offsets = batch.l3Offset;
        int[] l4Offsets = batch.l4Offset;
        int[] flowHashes = batch.flowHash;
        int[] vnis = batch.vni;
        int[] vrfs = batch.vrf;
        long bufferAddress = PacketWords.address(buffer, 0);
        /*
         * The common case in one pass, in the loop itself (no call per packet): untagged outer
         * Ethernet, outer IPv4 without options, UDP 4789, VXLAN, inner Ethernet, inner IPv4 without
         * options, not a fragment, outer ECN not CE. The 88 bytes of headers are read as eleven
         * big-endian longs and every field is taken out of them in registers; every check of the
         * general path (decapsulate) is made, on the same values. Anything else, including every
         * packet that will drop, leaves this block having written nothing, and the general path
         * decides it as before, with its exact drop reason. As the entry stage, decap always gets the
         * batch in order (see SlotOrder); any other vector takes the general path.
         */
        if (SlotOrder.isInOrder(input, size)) {
            for (int slot = 0; slot < size; slot++) {
                int packetFlags = flags[slot];
                int start = offsets[slot];
                int length = lengths[slot];
                commonCase:
                if (length >= FAST_PATH_MIN_LENGTH && (packetFlags & PacketFlags.L3_PACKET) == 0
                    && PacketWords.inside(buffer, start, FAST_PATH_MIN_LENGTH)) {
                    long address = bufferAddress + start;
                    // Bytes 8-15: source MAC (low 4), EtherType, outer version/IHL, TOS.
                    long w1 = PacketWords.getLong(base, address + 8);
                    long w2 = PacketWords.getLong(base, address + 16);   // total length, id, flags/fragment, TTL, protocol
                    long w3 = PacketWords.getLong(base, address + 24);   // checksum, source, destination (high half)
                    long w4 = PacketWords.getLong(base, address + 32);   // destination (low half), UDP ports, UDP length
                    int outerTotalLength = (int) (w2 >>> 48);
                    int udpLength = (int) w4 & 0xFFFF;
                    if (((int) w1 & 0xFFFF_FF00) != OUTER_TYPE_AND_VERSION
                        // The outer header fits, UDP fits in it, VXLAN + inner Ethernet + inner IPv4 fit in UDP.
                        || outerTotalLength > length - EthernetFlyweight.HEADER_LENGTH
                        || udpLength > outerTotalLength - Ipv4Flyweight.MIN_HEADER_LENGTH
                        || udpLength < UDP_MIN_LENGTH_COMMON_CASE
                        || (int) (w4 >>> 16 & 0xFFFF) != VxlanFlyweight.UDP_PORT
                        || ((int) w2 & 0xFF) != Ipv4Flyweight.PROTOCOL_UDP
                        // RFC 7348 §4.3: no outer fragments (MF or an offset).
                        || ((int) (w2 >>> 16) & FRAGMENT_BITS) != 0
                        || (int) ((w3 << 16) | (w4 >>> 48)) != localVtep
                        // Outer ECN CE needs the RFC 6040 treatment of the general path.
                        || ((int) w1 & ECN_MASK) == ECN_CE
                        || !isValidSum(w1 & 0xFFFF, w2, w3, w4 >>> 48)) {
                        break commonCase;
                    }
                    long w5 = PacketWords.getLong(base, address + 40);   // UDP checksum, VXLAN flags, reserved, VNI (2 bytes)
                    long w6 = PacketWords.getLong(base, address + 48);   // VNI (low byte), reserved, inner destination MAC
                    long w7 = PacketWords.getLong(base, address + 56);   // inner source MAC, inner EtherType
                    long w8 = PacketWords.getLong(base, address + 64);   // inner version/IHL, TOS, total length, id, fragment
                    long w9 = PacketWords.getLong(base, address + 72);   // TTL, protocol, checksum, source
                    long w10 = PacketWords.getLong(base, address + 80);  // destination, first 4 bytes of L4 (ports)
                    int innerTotalLength = (int) (w8 >>> 32) & 0xFFFF;
                    // RFC 7348 §5: the I flag must be set; the other flag bits are ignored. RFC 9135 §4.1
                    // (symmetric IRB): routed traffic is addressed to our router MAC.
                    if (((int) (w5 >>> 40) & VxlanFlyweight.FLAG_VALID_VNI) == 0
                        || ((int) w7 & 0xFFFF) != EthernetFlyweight.ETHER_TYPE_IPV4
                        || (w6 & MAC_MASK) != routerMac
                        || (int) (w8 >>> 56) != IPV4_NO_OPTIONS
                        || innerTotalLength < Ipv4Flyweight.MIN_HEADER_LENGTH
                        || innerTotalLength > udpLength - (UDP_MIN_LENGTH_COMMON_CASE - Ipv4Flyweight.MIN_HEADER_LENGTH)
                        || ((int) w8 & FRAGMENT_BITS) != 0
                        // RFC 1812 §5.2.2: a router verifies the IP header checksum of what it forwards.
                        || !isValidSum(0, w8, w9, w10 >>> 32)) {
                        break commonCase;
                    }
                    int vni = ((int) w5 & 0xFFFF) << 8 | (int) (w6 >>> 56);
                    int decapEntry = tables.decapEntry(vni);
                    if (decapEntry == VniMap.MISSING) {
                        break commonCase;
                    }
                    int vrf = ForwardingTables.decapVrf(decapEntry);
                    int ip = start + INNER_IPV4_OFFSET;
                    int protocol = (int) (w9 >>> 48) & 0xFF;
                    int ports = hasPorts(protocol) && innerTotalLength - Ipv4Flyweight.MIN_HEADER_LENGTH >= 4 ? (int) w10 : 0;
                    offsets[slot] = ip;
                    lengths[slot] = innerTotalLength;
                    l3Offsets[slot] = ip;
                    l4Offsets[slot] = ip + Ipv4Flyweight.MIN_HEADER_LENGTH;
                    flowHashes[slot] = FlowHash.ipv4((w9 << 32) | (w10 >>> 32), protocol, ports);
                    vnis[slot] = vni;
                    vrfs[slot] = vrf;
                    flags[slot] = (packetFlags & ~(PacketFlags.INNER_IPV6 | PacketFlags.FRAGMENT
                        | PacketFlags.NON_FIRST_FRAGMENT)) | ForwardingTables.decapFlags(decapEntry);
                    context.forward(0, slot);
                    continue;
                }
                decapsulateOrDrop(batch, buffer, slot, tables, context);
            }
        } else {
            // Decap is the entry stage: the worker hands it the whole batch in order, so only a caller
            // passing another vector (a test, a graph with a stage before decap) gets here. The general
            // path decides every packet as the common case above would, only without its shortcut.
            for (int i = 0; i < size; i++) {
                decapsulateOrDrop(batch, buffer, input.slot(i), tables, context);
            }
        }
    }

    private static void decapsulateOrDrop(PacketBatch batch, UnsafeBuffer buffer, int slot, ForwardingTables tables,
                                          StageContext context) {
        DecapDropReason reason = decapsulate(batch, buffer, slot, tables);
        if (reason == null) {
            context.forward(0, slot);
        } else {
            context.drop(slot, reason);
        }
    }

    /**
     * With many VNIs (100,000 VPCs) and traffic spread over them, each packet's VNI entry is a
     * cache miss. This pass reads every common-case packet's entry line first: the loads do not
     * depend on one another, so the misses of many packets overlap instead of queuing one per
     * packet in the main loop, which then finds the lines cached.
     */
    private void touchDecapEntries(PacketBatch batch, StageVector input, ForwardingTables tables,
                                   UnsafeBuffer buffer, byte[] base) {
        int touched = 0;
        int size = input.size();
        for (int i = 0; i < size; i++) {
            int slot = input.slot(i);
            int start = batch.offset[slot];
            if (batch.length[slot] >= FAST_PATH_MIN_LENGTH && PacketWords.inside(buffer, start, FAST_PATH_MIN_LENGTH)) {
                long address = PacketWords.address(buffer, start);
                int vni = ((int) PacketWords.getLong(base, address + 40) & 0xFFFF) << 8
                    | (int) (PacketWords.getLong(base, address + 48) >>> 56);
                touched += tables.touchDecapEntry(vni);
            }
        }
        touchSink = touched;
    }

    /**
     * A packet from an IP port (TUN, {@link PacketFlags#L3_PACKET}) starts at its IP header and
     * belongs to the outside VRF: the same inner checks as a decapsulated packet, no outer ones.
     */
    private static DecapDropReason acceptFromIpPort(PacketBatch batch, UnsafeBuffer buffer, int slot,
                                                    ForwardingTables tables) {
        int vrf = tables.outsideVrf();
        if (vrf < 0) {
            return DecapDropReason.IP_PORT_WITHOUT_OUTSIDE_VRF;
        }
        int ip = batch.offset[slot];
        int available = batch.length[slot];
        int version = available > 0 ? (buffer.getByte(ip) & 0xF0) >>> 4 : 0;
        DecapDropReason reason;
        if (version == 4) {
            reason = acceptIpv4(batch, buffer, slot, ip, available, 0);
        } else if (version == 6) {
            reason = acceptIpv6(batch, buffer, slot, ip, available, 0);
        } else {
            return DecapDropReason.IP_PORT_NOT_IP;
        }
        if (reason == null) {
            batch.vni[slot] = PacketBatch.UNSET;
            batch.vrf[slot] = vrf;
            batch.flags[slot] |= tables.vrfFlags(vrf);
        }
        return reason;
    }

    /*
     * Headers are read a word at a time (one bounds-checked load per 4 or 8 bytes, fields taken
     * out with shifts) rather than field by field: this runs once per packet at line rate.
     */
    private static DecapDropReason decapsulate(PacketBatch batch, UnsafeBuffer buffer, int slot,
                                               ForwardingTables tables) {
        if ((batch.flags[slot] & PacketFlags.L3_PACKET) != 0) {
            return acceptFromIpPort(batch, buffer, slot, tables);
        }
        int start = batch.offset[slot];
        int length = batch.length[slot];
        if (length < EthernetFlyweight.HEADER_LENGTH) {
            return DecapDropReason.TRUNCATED_OUTER_ETHERNET;
        }
        int l2Length = EthernetFlyweight.HEADER_LENGTH;
        if (EthernetFlyweight.etherType(buffer, start) != EthernetFlyweight.ETHER_TYPE_IPV4) {
            l2Length = EthernetFlyweight.headerLength(buffer, start, length);
            if (l2Length < 0) {
                return DecapDropReason.MALFORMED_OUTER_ETHERNET;
            }
            if (EthernetFlyweight.payloadEtherType(buffer, start, l2Length) != EthernetFlyweight.ETHER_TYPE_IPV4) {
                return DecapDropReason.NOT_IPV4_UNDERLAY;
            }
        }

        int outerIp = start + l2Length;
        int outerAvailable = length - l2Length;
        if (outerAvailable < Ipv4Flyweight.MIN_HEADER_LENGTH) {
            return DecapDropReason.TRUNCATED_OUTER_IPV4;
        }
        int outerWord0 = buffer.getInt(outerIp, BIG_ENDIAN);
        int outerHeaderLength = ipv4HeaderLength(outerWord0);
        int outerTotalLength = outerWord0 & 0xFFFF;
        if (!isWellFormedIpv4(outerWord0, outerHeaderLength, outerTotalLength, outerAvailable)) {
            return DecapDropReason.MALFORMED_OUTER_IPV4;
        }
        if (!Ipv4HeaderChecksum.isValid(buffer, outerIp, outerHeaderLength)) {
            return DecapDropReason.BAD_OUTER_IPV4_CHECKSUM;
        }
        if (buffer.getInt(outerIp + Ipv4Flyweight.DESTINATION_OFFSET, BIG_ENDIAN) != tables.localVtep()) {
            return DecapDropReason.NOT_OUR_VTEP;
        }
        if (ipv4Protocol(buffer.getInt(outerIp + Ipv4Flyweight.TTL_OFFSET, BIG_ENDIAN)) != Ipv4Flyweight.PROTOCOL_UDP) {
            return DecapDropReason.NOT_UDP;
        }
        // RFC 7348 §4.3: VTEPs never fragment VXLAN packets; we do not reassemble them either.
        if ((buffer.getInt(outerIp + Ipv4Flyweight.IDENTIFICATION_OFFSET, BIG_ENDIAN) & FRAGMENT_BITS) != 0) {
            return DecapDropReason.OUTER_FRAGMENT;
        }

        int udp = outerIp + outerHeaderLength;
        int udpAvailable = outerTotalLength - outerHeaderLength;
        if (udpAvailable < UdpFlyweight.HEADER_LENGTH) {
            return DecapDropReason.TRUNCATED_UDP;
        }
        long udpHeader = buffer.getLong(udp, BIG_ENDIAN);
        if ((int) (udpHeader >>> 32 & 0xFFFF) != VxlanFlyweight.UDP_PORT) {
            return DecapDropReason.NOT_VXLAN_PORT;
        }
        int udpLength = (int) (udpHeader >>> 16 & 0xFFFF);
        if (udpLength < UdpFlyweight.HEADER_LENGTH || udpLength > udpAvailable) {
            return DecapDropReason.MALFORMED_UDP_LENGTH;
        }

        int vxlan = udp + UdpFlyweight.HEADER_LENGTH;
        int vxlanAvailable = udpLength - UdpFlyweight.HEADER_LENGTH;
        if (vxlanAvailable < VxlanFlyweight.HEADER_LENGTH) {
            return DecapDropReason.TRUNCATED_VXLAN;
        }
        long vxlanHeader = buffer.getLong(vxlan, BIG_ENDIAN);
        // RFC 7348 §5: the I flag must be set for a valid VNI; the other flag bits are reserved
        // and "MUST be ignored on receipt".
        if (((int) (vxlanHeader >>> 56) & VxlanFlyweight.FLAG_VALID_VNI) == 0) {
            return DecapDropReason.VXLAN_I_FLAG_CLEAR;
        }
        int vni = (int) (vxlanHeader >>> 8) & 0xFF_FFFF;
        int vrf = tables.vrfOfVni(vni);
        if (vrf == VniMap.MISSING) {
            return DecapDropReason.UNKNOWN_VNI;
        }

        int innerEthernet = vxlan + VxlanFlyweight.HEADER_LENGTH;
        int innerEthernetAvailable = vxlanAvailable - VxlanFlyweight.HEADER_LENGTH;
        if (innerEthernetAvailable < EthernetFlyweight.HEADER_LENGTH) {
            return DecapDropReason.TRUNCATED_INNER_ETHERNET;
        }
        int innerType = EthernetFlyweight.etherType(buffer, innerEthernet);
        if (innerType == EthernetFlyweight.ETHER_TYPE_VLAN || innerType == EthernetFlyweight.ETHER_TYPE_QINQ) {
            return DecapDropReason.INNER_VLAN_TAGGED;
        }
        // RFC 9135 §4.1 (symmetric IRB): routed traffic is addressed to our router MAC.
        if (buffer.getLong(innerEthernet, BIG_ENDIAN) >>> 16 != tables.routerMac()) {
            return DecapDropReason.WRONG_INNER_ROUTER_MAC;
        }

        int inner = innerEthernet + EthernetFlyweight.HEADER_LENGTH;
        int innerAvailable = innerEthernetAvailable - EthernetFlyweight.HEADER_LENGTH;
        int outerEcn = (outerWord0 >>> 16) & ECN_MASK;
        DecapDropReason reason;
        if (innerType == EthernetFlyweight.ETHER_TYPE_IPV4) {
            reason = acceptIpv4(batch, buffer, slot, inner, innerAvailable, outerEcn);
        } else if (innerType == EthernetFlyweight.ETHER_TYPE_IPV6) {
            reason = acceptIpv6(batch, buffer, slot, inner, innerAvailable, outerEcn);
        } else {
            return DecapDropReason.UNSUPPORTED_INNER_ETHERTYPE;
        }
        if (reason == null) {
            batch.vni[slot] = vni;
            batch.vrf[slot] = vrf;
            batch.flags[slot] |= tables.vrfFlags(vrf);
        }
        return reason;
    }

    /**
     * RFC 1071 one's-complement check of a 20-byte IPv4 header given as a leading 16-bit word
     * {@code head} (0 when the header starts on the first long), two longs and a trailing 16- or
     * 32-bit part {@code tail}: valid when the folded sum is 0xFFFF.
     */
    private static boolean isValidSum(long head, long first, long second, long tail) {
        long sum = head + (first >>> 32) + (first & 0xFFFF_FFFFL) + (second >>> 32) + (second & 0xFFFF_FFFFL) + tail;
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        return sum == 0xFFFF;
    }

    /** IHL x 4 from the first 32-bit word of an IPv4 header. */
    private static int ipv4HeaderLength(int word0) {
        return (word0 >>> 22) & 0x3C;
    }

    /** The protocol from the third 32-bit word (TTL, protocol, checksum). */
    private static int ipv4Protocol(int word2) {
        return (word2 >>> 16) & 0xFF;
    }

    /** Version 4, IHL >= 5, header inside the total length, total length inside the bytes present. */
    private static boolean isWellFormedIpv4(int word0, int headerLength, int totalLength, int available) {
        return (word0 >>> 28) == 4 && headerLength >= Ipv4Flyweight.MIN_HEADER_LENGTH && headerLength <= totalLength
            && totalLength <= available;
    }

    private static DecapDropReason acceptIpv4(PacketBatch batch, UnsafeBuffer buffer, int slot, int ip,
                                              int available, int outerEcn) {
        if (available < Ipv4Flyweight.MIN_HEADER_LENGTH) {
            return DecapDropReason.TRUNCATED_INNER_IPV4;
        }
        int word0 = buffer.getInt(ip, BIG_ENDIAN);
        int headerLength = ipv4HeaderLength(word0);
        int totalLength = word0 & 0xFFFF;
        if (!isWellFormedIpv4(word0, headerLength, totalLength, available)) {
            return DecapDropReason.MALFORMED_INNER_IPV4;
        }
        // RFC 1812 §5.2.2: a router verifies the IP header checksum of what it forwards.
        if (!Ipv4HeaderChecksum.isValid(buffer, ip, headerLength)) {
            return DecapDropReason.BAD_INNER_IPV4_CHECKSUM;
        }
        if (outerEcn == ECN_CE) {
            int oldWord = word0 >>> 16;
            // RFC 6040 §4.2: CE outside, Not-ECT inside: drop; otherwise the inner becomes CE.
            if ((oldWord & ECN_MASK) == 0) {
                return DecapDropReason.ECN_CE_ON_NOT_ECT;
            }
            int newWord = oldWord | ECN_CE;
            buffer.putShort(ip, (short) newWord, BIG_ENDIAN);
            Ipv4Flyweight.checksum(buffer, ip,
                Checksums.update16(Ipv4Flyweight.checksum(buffer, ip), oldWord, newWord));
        }
        int fragmentWord = buffer.getInt(ip + Ipv4Flyweight.IDENTIFICATION_OFFSET, BIG_ENDIAN);
        int protocol = ipv4Protocol(buffer.getInt(ip + Ipv4Flyweight.TTL_OFFSET, BIG_ENDIAN));
        long addresses = buffer.getLong(ip + Ipv4Flyweight.SOURCE_OFFSET, BIG_ENDIAN);
        int flags = 0;
        int l4 = ip + headerLength;
        int ports = 0;
        if ((fragmentWord & FRAGMENT_BITS) != 0) {
            flags = PacketFlags.FRAGMENT;
            if ((fragmentWord & Ipv4Flyweight.FRAGMENT_OFFSET_MASK) != 0) {
                flags |= PacketFlags.NON_FIRST_FRAGMENT;
                l4 = PacketBatch.UNSET;
            }
        } else if (hasPorts(protocol) && totalLength - headerLength >= 4) {
            ports = buffer.getInt(l4, BIG_ENDIAN);
        }
        batch.offset[slot] = ip;
        batch.length[slot] = totalLength;
        batch.l3Offset[slot] = ip;
        batch.l4Offset[slot] = l4;
        batch.flowHash[slot] = FlowHash.ipv4(addresses, protocol, ports);
        batch.flags[slot] = (batch.flags[slot] & ~(PacketFlags.INNER_IPV6 | PacketFlags.FRAGMENT
            | PacketFlags.NON_FIRST_FRAGMENT)) | flags;
        return null;
    }

    private static DecapDropReason acceptIpv6(PacketBatch batch, UnsafeBuffer buffer, int slot, int ip,
                                              int available, int outerEcn) {
        if (available < Ipv6Flyweight.HEADER_LENGTH) {
            return DecapDropReason.TRUNCATED_INNER_IPV6;
        }
        int totalLength = Ipv6Flyweight.validate(buffer, ip, available);
        if (totalLength < 0) {
            return DecapDropReason.MALFORMED_INNER_IPV6;
        }
        long walk = Ipv6Flyweight.walkExtensionHeaders(buffer, ip, totalLength);
        if (walk < 0) {
            return DecapDropReason.MALFORMED_INNER_IPV6_EXTENSION_HEADERS;
        }
        if (outerEcn == ECN_CE) {
            int firstWord = buffer.getInt(ip, BIG_ENDIAN);
            // RFC 6040 §4.2 with the ECN bits of the Traffic Class (bits 20-21 of the first word).
            if (((firstWord >>> 20) & ECN_MASK) == 0) {
                return DecapDropReason.ECN_CE_ON_NOT_ECT;
            }
            buffer.putInt(ip, firstWord | (ECN_CE << 20), BIG_ENDIAN);
        }
        int protocol = Ipv6Flyweight.walkProtocol(walk);
        int l4 = ip + Ipv6Flyweight.walkL4Offset(walk);
        int fragmentBits = Ipv6Flyweight.walkFragmentBits(walk);
        int flags = PacketFlags.INNER_IPV6;
        int ports = 0;
        int hashedProtocol = protocol;
        if ((fragmentBits & Ipv6Flyweight.WALK_FRAGMENT) != 0) {
            flags |= PacketFlags.FRAGMENT;
            // RFC 8200 §4.5: only the first fragment shows the headers after the Fragment header
            // (a later one stops at its Next Header), so every fragment hashes as "fragment": one
            // ECMP path and one outer source port for the whole datagram.
            hashedProtocol = Ipv6Flyweight.NEXT_HEADER_FRAGMENT;
            if ((fragmentBits & Ipv6Flyweight.WALK_NON_FIRST_FRAGMENT) != 0) {
                flags |= PacketFlags.NON_FIRST_FRAGMENT;
                l4 = PacketBatch.UNSET;
            }
        } else if (hasPorts(protocol) && ip + totalLength - l4 >= 4) {
            ports = buffer.getInt(l4, BIG_ENDIAN);
        }
        batch.offset[slot] = ip;
        batch.length[slot] = totalLength;
        batch.l3Offset[slot] = ip;
        batch.l4Offset[slot] = l4;
        batch.flowHash[slot] = FlowHash.ipv6(Ipv6Flyweight.sourceHigh(buffer, ip), Ipv6Flyweight.sourceLow(buffer, ip),
            Ipv6Flyweight.destinationHigh(buffer, ip), Ipv6Flyweight.destinationLow(buffer, ip), hashedProtocol, ports);
        batch.flags[slot] = (batch.flags[slot] & ~(PacketFlags.FRAGMENT | PacketFlags.NON_FIRST_FRAGMENT)) | flags;
        return null;
    }

    private static boolean hasPorts(int protocol) {
        return protocol == Ipv4Flyweight.PROTOCOL_TCP || protocol == Ipv4Flyweight.PROTOCOL_UDP
            || protocol == PROTOCOL_SCTP;
    }
}
