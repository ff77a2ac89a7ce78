package io.softgate.nat.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.memory.FrameMemory;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.nat.compile.ExternalAddressRegistry;
import io.softgate.nat.log.NatEventLog;
import io.softgate.nat.session.NatSessions;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The batch pass reads the common packet (option-less IPv4, UDP or TCP) with a few whole-word
 * reads instead of the flyweights: for every packet, mutated anywhere in its headers and cut to
 * any length, it must queue exactly what the field-by-field read queues (the same key, L4 offset
 * and parse word, or nothing).
 */
class CommonKeyReadTest {
    private static final int FRAMES = 4;
    private static final int ETHERNET = 14;

    @Test
    void shouldQueueWhatTheFieldByFieldReadQueuesForAnyHeader() {
        FrameMemory memory = new FrameMemory(FRAMES);
        PacketBatch batch = new PacketBatch(memory, FRAMES);
        NatSessions sessions = new NatSessions(64, 64, 16, new NatEventLog(64), new ExternalAddressRegistry(16));
        Nat44Translator translator = new Nat44Translator(sessions, 1, 0);
        SplittableRandom random = new SplittableRandom(0xC0_4E_CE_7L);
        int queued = 0;
        for (int round = 0; round < 200_000; round++) {
            byte[] packet = packet(random);
            int start = memory.packetStart(0);
            batch.clear();
            batch.buffer().putBytes(start, packet);
            int slot = batch.add(0, start, packet.length, 0);
            batch.l3Offset[slot] = start + ETHERNET;
            batch.vrf[slot] = random.nextInt(4);
            boolean inside = random.nextBoolean();

            translator.beginBatch(FRAMES);
            translator.collectKeyFieldByField(batch, slot, inside, 9);
            String expected = translator.queuedKey(slot);
            translator.beginBatch(FRAMES);
            translator.collectKey(batch, slot, inside, 9);
            assertEquals(expected, translator.queuedKey(slot), "round " + round);
            queued += expected.equals("none") ? 0 : 1;
        }
        assertTrue(queued > 50_000, "packets with a key: " + queued);
    }

    /** A UDP or TCP packet behind Ethernet, with a few header fields (or bytes) changed and a random length. */
    private static byte[] packet(SplittableRandom random) {
        boolean tcp = random.nextBoolean();
        int l4Length = tcp ? 20 + 4 * random.nextInt(3) : 8;
        int payload = random.nextInt(3) == 0 ? random.nextInt(4) : random.nextInt(40);
        byte[] packet = new byte[ETHERNET + 20 + l4Length + payload];
        packet[12] = 0x08;
        int ip = ETHERNET;
        int totalLength = 20 + l4Length + payload;
        packet[ip] = 0x45;
        packet[ip + 2] = (byte) (totalLength >>> 8);
        packet[ip + 3] = (byte) totalLength;
        packet[ip + 8] = 64;
        packet[ip + 9] = (byte) (tcp ? 6 : 17);
        for (int i = ip + 12; i < ip + 20 + 4; i++) {
            packet[i] = (byte) random.nextInt(256); // addresses and ports
        }
        if (tcp) {
            packet[ip + 20 + 12] = (byte) ((l4Length / 4) << 4);
            packet[ip + 20 + 13] = (byte) random.nextInt(256);
        }
        int mutations = random.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            switch (random.nextInt(8)) {
                case 0 -> packet[ip] = (byte) (random.nextBoolean() ? 0x46 + random.nextInt(10) : random.nextInt(256));
                case 1 -> { // total length: anything, often near the real one
                    int length = random.nextBoolean() ? totalLength + random.nextInt(-30, 30) : random.nextInt(65536);
                    packet[ip + 2] = (byte) (length >>> 8);
                    packet[ip + 3] = (byte) length;
                }
                case 2 -> { // flags and fragment offset
                    packet[ip + 6] = (byte) (random.nextBoolean() ? 0x20 : random.nextInt(256));
                    packet[ip + 7] = (byte) (random.nextInt(4) == 0 ? 0 : random.nextInt(256));
                }
                case 3 -> packet[ip + 9] = (byte) new int[] {1, 6, 17, 47, 58}[random.nextInt(5)];
                case 4 -> {
                    if (packet.length > ip + 20 + 12) {
                        packet[ip + 20 + 12] = (byte) random.nextInt(256); // TCP data offset
                    }
                }
                default -> packet[random.nextInt(packet.length)] = (byte) random.nextInt(256);
            }
        }
        int cut = random.nextInt(5) == 0 ? random.nextInt(ETHERNET + 1, packet.length + 1) : packet.length;
        return java.util.Arrays.copyOf(packet, cut);
    }
}
