package io.softgate.service.systemtest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the VXLAN packets of a libpcap capture (as written by {@code tcpdump -w}) into the
 * fields a system test checks: outer addresses, VNI, inner MACs and inner IPv4 addresses.
 * Independent of the product's own pcap code, so a test does not trust what it tests.
 *
 * <p>Threading: stateless.
 */
public final class VxlanCapture {
    private static final int PCAP_MAGIC_MICROS = 0xA1B2C3D4;
    private static final int PCAP_MAGIC_NANOS = 0xA1B23C4D;
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int VXLAN_PORT = 4789;

    private VxlanCapture() {
    }

    /** One VXLAN packet seen on the wire. */
    public record VxlanPacket(String outerSource, String outerDestination, int vni, int flags,
                              String innerSourceMac, String innerDestinationMac,
                              String innerSource, String innerDestination) {
    }

    /** Every UDP/4789 packet of {@code file} that is long enough to hold the inner headers. */
    public static List<VxlanPacket> read(Path file) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(file));
        if (data.remaining() < 24) {
            throw new IOException("no pcap header in " + file);
        }
        int magic = data.order(ByteOrder.BIG_ENDIAN).getInt(0);
        if (magic != PCAP_MAGIC_MICROS && magic != PCAP_MAGIC_NANOS) {
            data.order(ByteOrder.LITTLE_ENDIAN);
            magic = data.getInt(0);
            if (magic != PCAP_MAGIC_MICROS && magic != PCAP_MAGIC_NANOS) {
                throw new IOException("not a libpcap file: " + file);
            }
        }
        if (data.getInt(20) != LINKTYPE_ETHERNET) {
            throw new IOException("capture is not Ethernet: link type " + data.getInt(20));
        }
        List<VxlanPacket> packets = new ArrayList<>();
        int position = 24;
        while (position + 16 <= data.limit()) {
            int captured = data.getInt(position + 8);
            int start = position + 16;
            if (captured < 0 || start + captured > data.limit()) {
                break; // a capture cut short by the stop
            }
            VxlanPacket packet = decode(ByteBuffer.wrap(data.array(), start, captured).slice().order(ByteOrder.BIG_ENDIAN));
            if (packet != null) {
                packets.add(packet);
            }
            position = start + captured;
        }
        return packets;
    }

    private static VxlanPacket decode(ByteBuffer frame) {
        int length = frame.remaining();
        if (length < 14 + 20 + 8 + 8 + 14 || (frame.getShort(12) & 0xFFFF) != 0x0800) {
            return null;
        }
        int ip = 14;
        int ihl = (frame.get(ip) & 0x0F) * 4;
        if (frame.get(ip + 9) != 17 || ip + ihl + 8 + 8 + 14 > length) {
            return null;
        }
        int udp = ip + ihl;
        if ((frame.getShort(udp + 2) & 0xFFFF) != VXLAN_PORT) {
            return null;
        }
        int vxlan = udp + 8;
        int flags = frame.get(vxlan) & 0xFF;
        int vni = (frame.getInt(vxlan + 4) >>> 8) & 0xFF_FFFF; // RFC 7348 §5: VNI in bytes 4..6
        int inner = vxlan + 8;
        String innerSource = null;
        String innerDestination = null;
        if ((frame.getShort(inner + 12) & 0xFFFF) == 0x0800 && inner + 14 + 20 <= length) {
            innerSource = ipv4(frame, inner + 14 + 12);
            innerDestination = ipv4(frame, inner + 14 + 16);
        }
        return new VxlanPacket(ipv4(frame, ip + 12), ipv4(frame, ip + 16), vni, flags,
            mac(frame, inner + 6), mac(frame, inner), innerSource, innerDestination);
    }

    private static String ipv4(ByteBuffer frame, int offset) {
        return (frame.get(offset) & 0xFF) + "." + (frame.get(offset + 1) & 0xFF) + "." + (frame.get(offset + 2) & 0xFF)
            + "." + (frame.get(offset + 3) & 0xFF);
    }

    private static String mac(ByteBuffer frame, int offset) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                text.append(':');
            }
            text.append(String.format("%02x", frame.get(offset + i) & 0xFF));
        }
        return text.toString();
    }
}
