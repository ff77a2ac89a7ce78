package io.softgate.core.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class ChecksumsTest {

    @Test
    void shouldMatchRfc1071WorkedExample() {
        // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (before complement).
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[] {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5,
            (byte) 0xf6, (byte) 0xf7});
        assertEquals(0xddf2, Checksums.fold(Checksums.sum(buffer, 0, 8)));
        assertEquals(~0xddf2 & 0xFFFF, Checksums.checksum(buffer, 0, 8));
    }

    @Test
    void shouldPadOddLengthWithZeroByte() {
        UnsafeBuffer odd = new UnsafeBuffer(new byte[] {0x12, 0x34, 0x56});
        UnsafeBuffer padded = new UnsafeBuffer(new byte[] {0x12, 0x34, 0x56, 0x00});
        assertEquals(Checksums.checksum(padded, 0, 4), Checksums.checksum(odd, 0, 3));
    }

    @Test
    void shouldAgreeIncrementalUpdateWithFullRecomputationForRandomHeaders() {
        SplittableRandom random = new SplittableRandom(1624);
        byte[] header = new byte[20];
        UnsafeBuffer buffer = new UnsafeBuffer(header);
        for (int trial = 0; trial < 100_000; trial++) {
            for (int i = 0; i < header.length; i++) {
                header[i] = (byte) random.nextInt(256);
            }
            buffer.putShort(10, (short) 0);
            int checksum = Checksums.checksum(buffer, 0, 20);
            buffer.putShort(10, (short) checksum, java.nio.ByteOrder.BIG_ENDIAN);

            int oldAddress = buffer.getInt(12, java.nio.ByteOrder.BIG_ENDIAN);
            int newAddress = random.nextInt();
            int oldPort = buffer.getShort(16, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF;
            int newPort = random.nextInt(65536);
            buffer.putInt(12, newAddress, java.nio.ByteOrder.BIG_ENDIAN);
            buffer.putShort(16, (short) newPort, java.nio.ByteOrder.BIG_ENDIAN);

            int incremental = Checksums.update16(Checksums.update32(checksum, oldAddress, newAddress), oldPort, newPort);
            int viaDelta = Checksums.applyDelta(checksum,
                Checksums.addDeltas(Checksums.delta32(oldAddress, newAddress), Checksums.delta16(oldPort, newPort)));
            buffer.putShort(10, (short) 0);
            int full = Checksums.checksum(buffer, 0, 20);
            assertEquals(verifies(buffer, full), verifies(buffer, incremental), "trial " + trial);
            assertEquals(verifies(buffer, full), verifies(buffer, viaDelta), "trial " + trial);
        }
    }

    /** RFC 1624 §3: 0x0000 and 0xFFFF are the same one's-complement value; compare by verification. */
    private static boolean verifies(UnsafeBuffer buffer, int checksum) {
        buffer.putShort(10, (short) checksum, java.nio.ByteOrder.BIG_ENDIAN);
        boolean ok = Checksums.fold(Checksums.sum(buffer, 0, 20)) == 0xFFFF;
        buffer.putShort(10, (short) 0);
        return ok;
    }

    @Test
    void shouldProduceVerifiableUdpChecksumOverIpv4PseudoHeader() {
        byte[] frame = PacketBuilder.ethernet(1, 2).ipv4("192.0.2.1", "198.51.100.7").udp(5000, 53).payload(33).build();
        UnsafeBuffer buffer = new UnsafeBuffer(frame);
        int ip = EthernetFlyweight.HEADER_LENGTH;
        int l4 = ip + 20;
        int l4Length = frame.length - l4;
        long sum = Checksums.ipv4PseudoHeaderSum(Ipv4Flyweight.source(buffer, ip), Ipv4Flyweight.destination(buffer, ip),
            17, l4Length) + Checksums.sum(buffer, l4, l4Length);
        assertEquals(0xFFFF, Checksums.fold(sum));
    }

    @Test
    void shouldProduceVerifiableTcpChecksumOverIpv6PseudoHeader() {
        byte[] frame = PacketBuilder.ethernet(1, 2).ipv6("2001:db8::1", "2001:db8::2").tcp(40000, 443).payload(17).build();
        UnsafeBuffer buffer = new UnsafeBuffer(frame);
        int ip = EthernetFlyweight.HEADER_LENGTH;
        int l4 = ip + 40;
        int l4Length = frame.length - l4;
        long sum = Checksums.ipv6PseudoHeaderSum(buffer, ip, 6, l4Length) + Checksums.sum(buffer, l4, l4Length);
        assertEquals(0xFFFF, Checksums.fold(sum));
    }

    @Test
    void shouldKeepHeaderValidWhenTtlIsDecrementedIncrementally() {
        byte[] frame = PacketBuilder.ethernet(1, 2).ipv4("10.0.0.1", "10.0.0.2").ttl(64).udp(1, 2).build();
        UnsafeBuffer buffer = new UnsafeBuffer(frame);
        int ip = EthernetFlyweight.HEADER_LENGTH;
        for (int expectedTtl = 63; expectedTtl >= 0; expectedTtl--) {
            Ipv4Flyweight.decrementTtl(buffer, ip);
            assertEquals(expectedTtl, Ipv4Flyweight.ttl(buffer, ip));
            assertEquals(0xFFFF, Checksums.fold(Checksums.sum(buffer, ip, 20)));
        }
    }
}
