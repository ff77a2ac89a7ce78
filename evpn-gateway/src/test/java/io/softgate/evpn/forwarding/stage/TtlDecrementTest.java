package io.softgate.evpn.forwarding.stage;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.packet.Ipv4Flyweight;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class TtlDecrementTest {

    @Test
    void shouldLeaveAValidChecksumForEveryTtlAndRandomHeaders() {
        Random random = new Random(1624);
        UnsafeBuffer header = new UnsafeBuffer(new byte[20]);
        for (int round = 0; round < 50_000; round++) {
            for (int i = 0; i < 20; i++) {
                header.putByte(i, (byte) random.nextInt());
            }
            header.putByte(0, (byte) 0x45);
            int ttl = 2 + random.nextInt(254);
            Ipv4Flyweight.ttl(header, 0, ttl);
            Ipv4Flyweight.updateChecksum(header, 0);
            int protocol = Ipv4Flyweight.protocol(header, 0);

            header.putInt(8, VrfRouteStage.decrementTtl(header.getInt(8, BIG_ENDIAN)), BIG_ENDIAN);

            assertEquals(ttl - 1, Ipv4Flyweight.ttl(header, 0));
            assertEquals(protocol, Ipv4Flyweight.protocol(header, 0));
            assertTrue(Ipv4HeaderChecksum.isValid(header, 0, 20), "checksum after TTL " + ttl);
        }
    }
}
