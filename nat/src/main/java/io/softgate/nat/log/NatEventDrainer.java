package io.softgate.nat.log;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.nat.session.ProtocolClass;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.MessageHandler;

/**
 * The control-plane half of the abuse-desk log: drains {@link NatEventLog} and hands one text
 * line per record to a sink (a file appender, syslog...). Line format (documented in
 * nat/README.md), one space between fields, never a destination:
 * <pre>
 * 2026-11-26T10:04:32.123456Z MAPPING-CREATE proto=tcp vpc=blue inside=10.0.0.5:40000 outside=198.51.100.1:51234
 * 2026-11-26T10:04:32.123456Z BLOCK-CREATE proto=udp vpc=blue inside=10.0.0.5 outside=198.51.100.1:1024-1279
 * </pre>
 * The time is wall-clock UTC: the record's monotonic clock reading shifted by the difference of
 * the two clocks at drain time.
 *
 * <p>Threading: one thread (the drainer) calls {@link #drain}; not thread-safe.
 */
public final class NatEventDrainer {
    private final NatEventLog log;
    private final IntFunction<String> vpcNameByVrf;
    private final Consumer<String> sink;
    private final LongSupplier monotonicNs;
    private final LongSupplier wallClockNs;
    private final MessageHandler handler = this::onRecord;
    private long offsetNs;

    /**
     * @param vpcNameByVrf names VPCs in lines (e.g. {@code vrf -> tables.vpcName(vrf)})
     * @param monotonicNs  the clock workers stamp records with (System::nanoTime in the service)
     * @param wallClockNs  nanoseconds since the epoch
     */
    public NatEventDrainer(NatEventLog log, IntFunction<String> vpcNameByVrf, Consumer<String> sink,
                           LongSupplier monotonicNs, LongSupplier wallClockNs) {
        this.log = log;
        this.vpcNameByVrf = vpcNameByVrf;
        this.sink = sink;
        this.monotonicNs = monotonicNs;
        this.wallClockNs = wallClockNs;
    }

    /** Formats up to {@code limit} records; returns how many. */
    public int drain(int limit) {
        offsetNs = wallClockNs.getAsLong() - monotonicNs.getAsLong();
        return log.ring().read(handler, limit);
    }

    private void onRecord(int type, DirectBuffer buffer, int index, int length) {
        if (length < NatEventLog.RECORD_LENGTH) {
            return;
        }
        long wallNs = buffer.getLong(index + NatEventLog.CLOCK_OFFSET) + offsetNs;
        int vrf = buffer.getInt(index + NatEventLog.VRF_OFFSET);
        int protocolClass = buffer.getInt(index + NatEventLog.PROTOCOL_OFFSET);
        int insideAddress = buffer.getInt(index + NatEventLog.INSIDE_ADDRESS_OFFSET);
        int insidePort = buffer.getInt(index + NatEventLog.INSIDE_PORT_OFFSET);
        int outsideAddress = buffer.getInt(index + NatEventLog.OUTSIDE_ADDRESS_OFFSET);
        int firstPort = buffer.getInt(index + NatEventLog.FIRST_PORT_OFFSET);
        int lastPort = buffer.getInt(index + NatEventLog.LAST_PORT_OFFSET);
        sink.accept(format(type, wallNs, vpcNameByVrf.apply(vrf), protocolClass, insideAddress, insidePort,
            outsideAddress, firstPort, lastPort));
    }

    /** One log line (see the class comment). */
    public static String format(int type, long wallNs, String vpc, int protocolClass, int insideAddress,
                                int insidePort, int outsideAddress, int firstPort, int lastPort) {
        StringBuilder line = new StringBuilder(128);
        line.append(Instant.ofEpochSecond(Math.floorDiv(wallNs, 1_000_000_000L), Math.floorMod(wallNs, 1_000_000_000L)))
            .append(' ').append(NatEventType.label(type))
            .append(" proto=").append(ProtocolClass.name(protocolClass))
            .append(" vpc=").append(vpc)
            .append(" inside=").append(Ipv4Flyweight.format(insideAddress));
        if (insidePort >= 0) {
            line.append(':').append(insidePort);
        }
        line.append(" outside=").append(Ipv4Flyweight.format(outsideAddress)).append(':').append(firstPort);
        if (lastPort != firstPort) {
            line.append('-').append(lastPort);
        }
        return line.toString();
    }
}
