package io.softgate.lb.stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.PacketBuilder;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * {@link PacketRewriter#apply}'s single range check: a rewrite whose bytes end exactly at the
 * buffer's end is made; one that would run one byte past it writes nothing and answers false.
 */
class PacketRewriterTest {
    private static final long NEW_SOURCE = ConnectionLayout.endpoint(0xC0000201, 8080, 0);
    private static final long NEW_DESTINATION = ConnectionLayout.endpoint(0x0A000005, 80, 0);

    /** The IPv4 packet (no Ethernet) of a TCP or UDP frame, cut to {@code bytes}. */
    private static byte[] ipPacket(boolean tcp, int bytes) {
        PacketBuilder builder = LbFixtures.frame().ipv4(0x0A0A0A0A, 0xC6336407);
        byte[] frame = (tcp ? builder.tcp(40000, 80) : builder.udp(40000, 53)).build();
        return Arrays.copyOf(LbFixtures.ipPart(frame), bytes);
    }

    @Test
    void shouldRewriteWhenTheLastByteItTouchesIsTheBuffersLast() {
        // TCP: through the checksum (L4 bytes 16-17); UDP: the whole 8-byte header.
        for (boolean tcp : new boolean[] {true, false}) {
            int reach = Ipv4Flyweight.MIN_HEADER_LENGTH + (tcp ? 18 : 8);
            UnsafeBuffer buffer = new UnsafeBuffer(ipPacket(tcp, reach));
            assertTrue(PacketRewriter.apply(buffer, 0, Ipv4Flyweight.MIN_HEADER_LENGTH, tcp ? 6 : 17, NEW_SOURCE,
                NEW_DESTINATION));
            assertEquals(0xC0000201, Ipv4Flyweight.source(buffer, 0));
            assertEquals(0x0A000005, Ipv4Flyweight.destination(buffer, 0));
            assertEquals(8080, buffer.getShort(20, ByteOrder.BIG_ENDIAN) & 0xFFFF);
            assertEquals(80, buffer.getShort(22, ByteOrder.BIG_ENDIAN) & 0xFFFF);
        }
    }

    @Test
    void shouldWriteNothingWhenTheRewriteWouldRunPastTheBuffer() {
        for (boolean tcp : new boolean[] {true, false}) {
            int reach = Ipv4Flyweight.MIN_HEADER_LENGTH + (tcp ? 18 : 8);
            byte[] bytes = ipPacket(tcp, reach - 1);
            byte[] before = bytes.clone();
            UnsafeBuffer buffer = new UnsafeBuffer(bytes);
            assertFalse(PacketRewriter.apply(buffer, 0, Ipv4Flyweight.MIN_HEADER_LENGTH, tcp ? 6 : 17, NEW_SOURCE,
                NEW_DESTINATION));
            assertArrayEquals(before, bytes);
            // An IPv4 header that itself runs past the end.
            assertFalse(PacketRewriter.apply(buffer, bytes.length - 19, bytes.length - 1, tcp ? 6 : 17, NEW_SOURCE,
                NEW_DESTINATION));
            assertArrayEquals(before, bytes);
        }
    }
}
