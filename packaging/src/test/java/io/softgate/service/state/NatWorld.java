package io.softgate.service.state;

import io.softgate.core.packet.Checksums;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.pipeline.StageHarness;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.core.snapshot.WorkerEpochs;
import io.softgate.nat.NatCapacity;
import io.softgate.nat.NatModule;
import io.softgate.nat.compile.NatTables;
import io.softgate.nat.config.NatAction;
import io.softgate.nat.config.NatConfig;
import io.softgate.nat.config.NatRule;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.config.VpcBinding;
import java.nio.ByteOrder;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One NAT as the service builds it (a {@link NatModule}, VPC "blue" in VRF 1, public VRF 0, SNAT to
 * {@link #SNAT} and a 1:1 address {@link #ONE_TO_ONE} for {@link #ONE_TO_ONE_VM}) with both stages
 * in harnesses on the real nanosecond clock, so the session store's wall-clock conversion applies.
 *
 * <p>Threading: test thread only.
 */
final class NatWorld implements AutoCloseable {
    static final int BLUE_VRF = 1;
    static final String SNAT = "198.51.100.1";
    static final String ONE_TO_ONE = "198.51.100.21";
    static final String ONE_TO_ONE_VM = "10.1.1.21";

    final NatModule nat;
    final NatTables tables;
    final StageHarness in2out;
    final StageHarness out2in;

    NatWorld(int maxSessions) {
        this.nat = new NatModule(new NatCapacity(maxSessions, maxSessions, 64, 1 << 16, 8));
        this.tables = nat.compile(new NatConfig(List.of(new VpcBinding("blue", BLUE_VRF, null)), 0, List.of(
            NatRule.builder("blue-out", NatAction.SNAT, "blue").source("10.1.1.0/24", null).snatToIP(SNAT).build(),
            NatRule.builder("blue-eip", NatAction.DNAT, "blue").destination(ONE_TO_ONE, null)
                .dnatTo(ONE_TO_ONE_VM, null).build()), NatSettings.defaults()));
        ConfigSnapshot snapshot = new SnapshotPublisher(new WorkerEpochs(1))
            .publish(ConfigSnapshot.builder().with(NatTables.SLOT, tables));
        this.in2out = new StageHarness(nat.in2outStage("route").create(0), snapshot);
        this.out2in = new StageHarness(nat.out2inStage("route").create(0), snapshot);
    }

    /** An inner frame from the VPC through nat44-in2out, now. */
    byte[] fromVpc(byte[] frame) {
        in2out.nowNs(System.nanoTime());
        StageHarness.Outcome outcome = in2out.run(frame, slot -> {
            in2out.batch().l3Offset[slot] = in2out.batch().offset[slot] + 14;
            in2out.batch().l4Offset[slot] = -1;
            in2out.batch().vrf[slot] = BLUE_VRF;
        });
        return outcome.verdict().equals("route") ? outcome.packet() : null;
    }

    /** An inner frame from the public VRF through nat44-out2in, now. */
    byte[] fromInternet(byte[] frame) {
        out2in.nowNs(System.nanoTime());
        StageHarness.Outcome outcome = out2in.run(frame, slot -> {
            out2in.batch().l3Offset[slot] = out2in.batch().offset[slot] + 14;
            out2in.batch().l4Offset[slot] = -1;
            out2in.batch().vrf[slot] = 0;
            out2in.batch().flags[slot] = io.softgate.core.pipeline.PacketFlags.FROM_OUTSIDE;
        });
        return outcome.verdict().equals("route") ? outcome.packet() : null;
    }

    /** Ethernet + IPv4 + UDP with 8 payload bytes and correct checksums. */
    static byte[] udp(String source, int sourcePort, String destination, int destinationPort) {
        byte[] frame = new byte[14 + 20 + 8 + 8];
        UnsafeBuffer buffer = new UnsafeBuffer(frame);
        buffer.putShort(12, (short) 0x0800, ByteOrder.BIG_ENDIAN);
        int ip = 14;
        buffer.putByte(ip, (byte) 0x45);
        buffer.putShort(ip + 2, (short) 36, ByteOrder.BIG_ENDIAN);
        buffer.putByte(ip + 8, (byte) 64);
        buffer.putByte(ip + 9, (byte) Ipv4Flyweight.PROTOCOL_UDP);
        buffer.putInt(ip + 12, Ipv4Flyweight.parse(source), ByteOrder.BIG_ENDIAN);
        buffer.putInt(ip + 16, Ipv4Flyweight.parse(destination), ByteOrder.BIG_ENDIAN);
        buffer.putShort(ip + 10, (short) Checksums.checksum(buffer, ip, 20), ByteOrder.BIG_ENDIAN);
        int udp = ip + 20;
        buffer.putShort(udp, (short) sourcePort, ByteOrder.BIG_ENDIAN);
        buffer.putShort(udp + 2, (short) destinationPort, ByteOrder.BIG_ENDIAN);
        buffer.putShort(udp + 4, (short) 16, ByteOrder.BIG_ENDIAN);
        buffer.putLong(udp + 8, 0x0102030405060708L);
        buffer.putShort(udp + 6, (short) Checksums.ipv4L4Checksum(buffer, ip, udp, 16, Ipv4Flyweight.PROTOCOL_UDP),
            ByteOrder.BIG_ENDIAN);
        return frame;
    }

    static int sourcePort(byte[] frame) {
        return new UnsafeBuffer(frame).getShort(34, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    static String destination(byte[] frame) {
        return Ipv4Flyweight.format(new UnsafeBuffer(frame).getInt(30, ByteOrder.BIG_ENDIAN));
    }

    static int destinationPort(byte[] frame) {
        return new UnsafeBuffer(frame).getShort(36, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    @Override
    public void close() {
        nat.close();
    }
}
