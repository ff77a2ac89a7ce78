package io.softgate.service.api;

import java.nio.ByteBuffer;

/** Builds the frames a hypervisor VTEP sends to the softgate: Ethernet / IPv4 / UDP 4789 / VXLAN / Ethernet / IPv4 / UDP. */
final class VxlanFrames {
    static final byte[] ROUTER_MAC = {0x02, 0x5f, 0, 0, 0, 0x01};
    static final byte[] HYPERVISOR_MAC = {0x02, 0x5f, 0, 0, 0x0b, 0x01};

    private VxlanFrames() {
    }

    static byte[] udp(int vni, byte[] outerSource, byte[] outerDestination, byte[] innerSource, byte[] innerDestination) {
        byte[] payload = new byte[16];
        int innerIpLength = 20 + 8 + payload.length;
        int innerLength = 14 + innerIpLength;
        int outerIpLength = 20 + 8 + 8 + innerLength;
        ByteBuffer frame = ByteBuffer.allocate(14 + outerIpLength);
        frame.put(ROUTER_MAC).put(HYPERVISOR_MAC).putShort((short) 0x0800);
        int outerIp = frame.position();
        ipv4(frame, outerIpLength, 17, outerSource, outerDestination);
        frame.putShort((short) 49152).putShort((short) 4789).putShort((short) (8 + 8 + innerLength)).putShort((short) 0);
        // RFC 7348 §5: flags with the I bit, 24 reserved bits, the VNI, 8 reserved bits.
        frame.put((byte) 0x08).put((byte) 0).put((byte) 0).put((byte) 0).putInt(vni << 8);
        frame.put(ROUTER_MAC).put(HYPERVISOR_MAC).putShort((short) 0x0800);
        ipv4(frame, innerIpLength, 17, innerSource, innerDestination);
        frame.putShort((short) 40000).putShort((short) 80).putShort((short) (8 + payload.length)).putShort((short) 0);
        frame.put(payload);
        return frame.array();
    }

    private static void ipv4(ByteBuffer frame, int totalLength, int protocol, byte[] source, byte[] destination) {
        int start = frame.position();
        frame.put((byte) 0x45).put((byte) 0).putShort((short) totalLength).putShort((short) 1).putShort((short) 0)
            .put((byte) 64).put((byte) protocol).putShort((short) 0).put(source).put(destination);
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += ((frame.get(start + i) & 0xFF) << 8) | (frame.get(start + i + 1) & 0xFF);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        frame.putShort(start + 10, (short) ~sum);
    }

    static byte[] address(int a, int b, int c, int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
    }
}
