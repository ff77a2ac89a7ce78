package io.softgate.core.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Builds the exact frames the conformance suite sends and expects: outer Ethernet, IPv4 (version
 * 4, IHL 5, TOS 0, identification 0, no flags, TTL 64, protocol UDP, valid checksum), UDP with a
 * zero checksum (RFC 7348 §5 allows it for VXLAN over IPv4), a VXLAN header and a numbered body.
 * These are also the header fields the UDP backend synthesises, so a received frame must equal
 * the delivered one byte for byte on every backend.
 *
 * <p>Threading: stateless.
 */
public final class ConformanceFrames {
    /** Outer Ethernet + IPv4 + UDP header bytes. */
    public static final int OUTER_HEADERS = 14 + 20 + 8;
    /** Smallest frame built: outer headers, VXLAN header and a 4-byte sequence number. */
    public static final int MIN_LENGTH = OUTER_HEADERS + 8 + 4;

    private ConformanceFrames() {
    }

    /** The addresses of the queue under test ("local") and of the peer that talks to it. */
    public record Endpoints(long localMac, long peerMac, int localIp, int peerIp, int localPort, int peerPort) {
    }

    /** A frame from the peer to the queue, {@code length} bytes, carrying {@code sequence}. */
    public static byte[] inbound(Endpoints endpoints, int sequence, int length) {
        return frame(endpoints.localMac(), endpoints.peerMac(), endpoints.peerIp(), endpoints.localIp(),
            endpoints.peerPort(), endpoints.localPort(), sequence, length);
    }

    /** A frame the queue sends to the peer, {@code length} bytes, carrying {@code sequence}. */
    public static byte[] outbound(Endpoints endpoints, int sequence, int length) {
        return frame(endpoints.peerMac(), endpoints.localMac(), endpoints.localIp(), endpoints.peerIp(),
            endpoints.localPort(), endpoints.peerPort(), sequence, length);
    }

    /** The UDP payload (VXLAN header onwards) of a frame built here. */
    public static byte[] udpPayload(byte[] frame) {
        byte[] payload = new byte[frame.length - OUTER_HEADERS];
        System.arraycopy(frame, OUTER_HEADERS, payload, 0, payload.length);
        return payload;
    }

    /** The sequence number a frame built here carries. */
    public static int sequence(byte[] frame) {
        return ByteBuffer.wrap(frame, OUTER_HEADERS + 8, 4).getInt();
    }

    private static byte[] frame(long destinationMac, long sourceMac, int sourceIp, int destinationIp,
                                int sourcePort, int destinationPort, int sequence, int length) {
        if (length < MIN_LENGTH) {
            throw new IllegalArgumentException("frame shorter than " + MIN_LENGTH + ": " + length);
        }
        ByteBuffer bytes = ByteBuffer.allocate(length).order(ByteOrder.BIG_ENDIAN);
        bytes.putShort((short) (destinationMac >>> 32)).putInt((int) destinationMac);
        bytes.putShort((short) (sourceMac >>> 32)).putInt((int) sourceMac);
        bytes.putShort((short) 0x0800);
        int ipLength = length - 14;
        bytes.put((byte) 0x45).put((byte) 0).putShort((short) ipLength).putShort((short) 0).putShort((short) 0);
        bytes.put((byte) 64).put((byte) 17).putShort((short) 0).putInt(sourceIp).putInt(destinationIp);
        bytes.putShort((short) sourcePort).putShort((short) destinationPort).putShort((short) (ipLength - 20))
            .putShort((short) 0);
        bytes.put((byte) 0x08).put((byte) 0).putShort((short) 0).putInt(0x001234_00);
        bytes.putInt(sequence);
        for (int i = bytes.position(); i < length; i++) {
            bytes.put((byte) (sequence * 31 + i));
        }
        byte[] frame = bytes.array();
        int checksum = ipv4HeaderChecksum(frame, 14);
        frame[24] = (byte) (checksum >>> 8);
        frame[25] = (byte) checksum;
        return frame;
    }

    private static int ipv4HeaderChecksum(byte[] frame, int offset) {
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += ((frame[offset + i] & 0xFF) << 8) | (frame[offset + i + 1] & 0xFF);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return ~sum & 0xFFFF;
    }
}
