package io.softgate.nat.rewrite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.packet.IcmpFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.UdpFlyweight;
import io.softgate.nat.testing.Frame;
import io.softgate.nat.testing.Packets;
import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * {@link Rewrite#apply} on its own: the precompiled RFC 1624 deltas leave every checksum valid
 * (recomputed from scratch by {@link Frame#assertChecksumsValid}), and a packet whose fields would
 * lie past the buffer is left untouched.
 */
class RewriteTest {
    private static final int L3 = Frame.IP;
    private static final int L4 = Frame.IP + Ipv4Flyweight.MIN_HEADER_LENGTH;
    private static final String PRIVATE = "10.0.0.5";
    private static final String PUBLIC = "198.51.100.7";
    private static final String SERVER = "192.0.2.1";

    @Test
    void shouldTranslateTheSourceOfTcpUdpAndIcmpWithValidChecksums() {
        byte[][] packets = {
            Packets.tcp(PRIVATE, 40000, SERVER, 443, 0x10),
            Packets.udp(PRIVATE, 40000, SERVER, 53),
            Packets.ip(PRIVATE, SERVER).icmpEcho(40000, 1).payload(8).build()};
        for (byte[] bytes : packets) {
            Frame frame = new Frame(bytes);
            int protocol = frame.protocol();
            assertTrue(apply(frame, protocol, false, 61000), "applied, protocol " + protocol);
            assertEquals(PUBLIC, frame.source());
            assertEquals(SERVER, frame.destination());
            assertEquals(61000, protocol == Ipv4Flyweight.PROTOCOL_ICMP ? frame.icmpIdentifier() : frame.sourcePort());
            frame.assertChecksumsValid();
        }
    }

    @Test
    void shouldTranslateTheDestinationWithValidChecksums() {
        Frame frame = new Frame(Packets.udp(SERVER, 53, PUBLIC, 61000));
        long[] words = words(Ipv4Flyweight.PROTOCOL_UDP, PUBLIC, PRIVATE, 61000, 40000, true, false);

        assertTrue(Rewrite.apply(frame.buffer(), L3, L4, Ipv4Flyweight.PROTOCOL_UDP, words[0], words[1]));

        assertEquals(PRIVATE, frame.destination());
        assertEquals(40000, frame.destinationPort());
        assertEquals(SERVER, frame.source());
        assertEquals(53, frame.sourcePort());
        frame.assertChecksumsValid();
    }

    @Test
    void shouldKeepThePortAndStillFixTheTransportChecksumForOneToOne() {
        Frame tcp = new Frame(Packets.tcp(PRIVATE, 40000, SERVER, 443, 0x10));
        assertTrue(apply(tcp, Ipv4Flyweight.PROTOCOL_TCP, true, 40000));
        assertEquals(PUBLIC, tcp.source());
        assertEquals(40000, tcp.sourcePort());
        tcp.assertChecksumsValid();

        Frame icmp = new Frame(Packets.ip(PRIVATE, SERVER).icmpEcho(7, 1).payload(8).build());
        assertTrue(apply(icmp, Ipv4Flyweight.PROTOCOL_ICMP, true, 7));
        assertEquals(7, icmp.icmpIdentifier());
        icmp.assertChecksumsValid();
    }

    @Test
    void shouldLeaveAZeroUdpChecksumZero() {
        byte[] bytes = Packets.udp(PRIVATE, 40000, SERVER, 53);
        Frame frame = new Frame(bytes);
        UdpFlyweight.checksum(frame.buffer(), L4, 0);

        assertTrue(apply(frame, Ipv4Flyweight.PROTOCOL_UDP, false, 61000));

        assertEquals(0, UdpFlyweight.checksum(frame.buffer(), L4), "RFC 768: no checksum stays none");
        frame.assertChecksumsValid();
    }

    @Test
    void shouldTranslateOnlyTheAddressOfANonFirstFragment() {
        Frame frame = new Frame(Packets.udp(PRIVATE, 40000, SERVER, 53));
        long[] words = words(Ipv4Flyweight.PROTOCOL_UDP, PRIVATE, PUBLIC, 40000, 61000, false, false);

        assertTrue(Rewrite.apply(frame.buffer(), L3, -1, Ipv4Flyweight.PROTOCOL_UDP, words[0], words[1]));

        assertEquals(PUBLIC, frame.source());
        assertEquals(40000, frame.sourcePort(), "no ports in a later fragment");
    }

    @Test
    void shouldWriteNothingWhenTheFieldsItTouchesRunPastTheBuffer() {
        long[] words = words(Ipv4Flyweight.PROTOCOL_TCP, PRIVATE, PUBLIC, 40000, 61000, false, false);
        long word0 = words[0];
        long word1 = words[1];
        byte[] whole = Packets.tcp(PRIVATE, 40000, SERVER, 443, 0x10);
        // Cut one byte short of the TCP checksum's end, then short of the IPv4 header's end.
        for (int length : new int[] {L4 + 17, L3 + 19}) {
            byte[] cut = Arrays.copyOf(whole, length);
            byte[] before = cut.clone();
            assertFalse(Rewrite.apply(new UnsafeBuffer(cut), L3, L4, Ipv4Flyweight.PROTOCOL_TCP, word0, word1),
                "buffer of " + length + " bytes");
            assertArrayEquals(before, cut);
        }
        byte[] bytes = whole.clone();
        assertFalse(Rewrite.apply(new UnsafeBuffer(bytes), -1, L4, Ipv4Flyweight.PROTOCOL_TCP, word0, word1));
        assertArrayEquals(whole, bytes);
        // An ICMP echo's rewrite reaches only to the end of its identifier.
        byte[] echo = Packets.ip(PRIVATE, SERVER).icmpEcho(40000, 1).build();
        int reach = L4 + IcmpFlyweight.IDENTIFIER_OFFSET + 2;
        assertTrue(Rewrite.apply(new UnsafeBuffer(Arrays.copyOf(echo, reach)), L3, L4, Ipv4Flyweight.PROTOCOL_ICMP,
            word0, word1));
        assertFalse(Rewrite.apply(new UnsafeBuffer(Arrays.copyOf(echo, reach - 1)), L3, L4,
            Ipv4Flyweight.PROTOCOL_ICMP, word0, word1));
    }

    /** Rewrites the source of {@code frame} from {@link #PRIVATE} to {@link #PUBLIC} and {@code newPort}. */
    private static boolean apply(Frame frame, int protocol, boolean keepPort, int newPort) {
        int oldPort = protocol == Ipv4Flyweight.PROTOCOL_ICMP ? frame.icmpIdentifier() : frame.sourcePort();
        long[] words = words(protocol, PRIVATE, PUBLIC, oldPort, newPort, false, keepPort);
        return Rewrite.apply(frame.buffer(), L3, L4, protocol, words[0], words[1]);
    }

    /** Word 0 and word 1 of the rewrite of one address and port, as the slow path compiles them (VRF 3). */
    private static long[] words(int protocol, String oldAddress, String newAddress, int oldPort, int newPort,
                                boolean destination, boolean keepPort) {
        int from = ip(oldAddress);
        int to = ip(newAddress);
        return new long[] {Rewrite.word0(protocol, from, to, oldPort, newPort),
            Rewrite.word1(destination, destination, from, to, 3, keepPort)};
    }

    private static int ip(String dotted) {
        String[] parts = dotted.split("\\.");
        int address = 0;
        for (String part : parts) {
            address = address << 8 | Integer.parseInt(part);
        }
        return address;
    }
}
