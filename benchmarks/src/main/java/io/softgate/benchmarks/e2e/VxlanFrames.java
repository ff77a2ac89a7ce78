package io.softgate.benchmarks.e2e;

import java.nio.ByteBuffer;

/**
 * Builds the harness's VXLAN frame: outer Ethernet/IPv4/UDP (port 4789, checksum 0 as RFC 7348 §5
 * allows), VXLAN header with VNI 5001 and an inner Ethernet frame of the requested size.
 *
 * <p>Threading: stateless.
 */
final class VxlanFrames {
    private VxlanFrames() {
    }

    static byte[] frame(long sourceMac, long destinationMac, int sourceIp, int destinationIp, int innerBytes) {
        int length = 14 + 20 + 8 + 8 + innerBytes;
        ByteBuffer bytes = ByteBuffer.allocate(length);
        bytes.putShort((short) (destinationMac >>> 32)).putInt((int) destinationMac);
        bytes.putShort((short) (sourceMac >>> 32)).putInt((int) sourceMac);
        bytes.putShort((short) 0x0800);
        int ipLength = length - 14;
        bytes.put((byte) 0x45).put((byte) 0).putShort((short) ipLength).putInt(0);
        bytes.put((byte) 64).put((byte) 17).putShort((short) 0).putInt(sourceIp).putInt(destinationIp);
        bytes.putShort((short) 49152).putShort((short) 4789).putShort((short) (ipLength - 20)).putShort((short) 0);
        bytes.put((byte) 0x08).put(new byte[3]).putInt(5001 << 8);
        // Inner frame: Ethernet + IPv4 + UDP, padded to innerBytes.
        bytes.putShort((short) 0x0200).putInt(0x0000_0A01).putShort((short) 0x0200).putInt(0x0000_0A02)
            .putShort((short) 0x0800);
        int innerIp = innerBytes - 14;
        bytes.put((byte) 0x45).put((byte) 0).putShort((short) innerIp).putInt(0);
        bytes.put((byte) 64).put((byte) 17).putShort((short) 0).putInt(0x0A00_0105).putInt(0xC633_6407);
        bytes.putShort((short) 40000).putShort((short) 53).putShort((short) (innerIp - 20)).putShort((short) 0);
        byte[] frame = bytes.array();
        writeChecksum(frame, 14);
        writeChecksum(frame, 14 + 20 + 8 + 8 + 14);
        return frame;
    }

    private static void writeChecksum(byte[] frame, int offset) {
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += ((frame[offset + i] & 0xFF) << 8) | (frame[offset + i + 1] & 0xFF);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        int checksum = ~sum & 0xFFFF;
        frame[offset + 10] = (byte) (checksum >>> 8);
        frame[offset + 11] = (byte) checksum;
    }
}
