package io.softgate.evpn.forwarding.stage;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.packet.Ipv4Flyweight;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4HeaderChecksumTest {

    @ParameterizedTest(name = "{0}-byte headers")
    @ValueSource(ints = {20, 24, 60})
    void shouldAcceptEveryCorrectHeaderAndRejectEverySingleBitFlip(int headerLength) {
        Random random = new Random(1071 + headerLength);
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 + 3]);
        for (int round = 0; round < 500; round++) {
            int offset = random.nextInt(4);
            for (int i = 0; i < headerLength; i++) {
                buffer.putByte(offset + i, (byte) random.nextInt());
            }
            buffer.putByte(offset, (byte) (0x40 | headerLength / 4));
            Ipv4Flyweight.updateChecksum(buffer, offset);

            assertTrue(Ipv4HeaderChecksum.isValid(buffer, offset, headerLength));
            int bit = random.nextInt(headerLength * 8);
            int index = offset + bit / 8;
            buffer.putByte(index, (byte) (buffer.getByte(index) ^ (1 << (bit % 8))));
            assertFalse(Ipv4HeaderChecksum.isValid(buffer, offset, headerLength));
        }
    }
}
