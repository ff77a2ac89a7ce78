package io.softgate.core.pipeline;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One armed packet trace: its filter and how many packets it follows, shared by every worker.
 * A worker that finds a matching packet claims the next packet number; once {@code packetCount}
 * numbers are claimed the trace is done and workers stop matching.
 *
 * <p>Threading: created by the control plane; workers claim packet numbers lock-free.
 */
public final class TraceSession {
    private final long id;
    private final TraceFilter filter;
    private final int packetCount;
    private final AtomicInteger claimed = new AtomicInteger();

    public TraceSession(long id, TraceFilter filter, int packetCount) {
        if (packetCount < 1) {
            throw new IllegalArgumentException("packetCount must be >= 1");
        }
        this.id = id;
        this.filter = filter;
        this.packetCount = packetCount;
    }

    public long id() {
        return id;
    }

    public TraceFilter filter() {
        return filter;
    }

    public int packetCount() {
        return packetCount;
    }

    /** The next packet number (0-based), or -1 when the trace has all its packets. */
    int claim() {
        if (claimed.get() >= packetCount) {
            return -1;
        }
        int number = claimed.getAndIncrement();
        return number < packetCount ? number : -1;
    }

    /** True once every packet number has been claimed (the last ones may still be in a batch). */
    public boolean complete() {
        return claimed.get() >= packetCount;
    }

    /** Packets claimed so far (at most {@link #packetCount()}). */
    public int claimedPackets() {
        return Math.min(claimed.get(), packetCount);
    }
}
