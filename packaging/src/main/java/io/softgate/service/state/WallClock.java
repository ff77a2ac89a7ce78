package io.softgate.service.state;

import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * Converts between the workers' nanosecond clock ({@code System.nanoTime}, meaningless in another
 * process) and wall-clock nanoseconds since the epoch (which survive a restart), by the offset
 * between the two read now.
 *
 * <p>Threading: immutable apart from its suppliers; safe from any thread.
 */
public final class WallClock {
    private final LongSupplier nanoClock;
    private final LongSupplier epochNanos;

    public WallClock(LongSupplier nanoClock, LongSupplier epochNanos) {
        this.nanoClock = nanoClock;
        this.epochNanos = epochNanos;
    }

    /** The system clocks. */
    public static WallClock system() {
        return new WallClock(System::nanoTime, () -> {
            Instant now = Instant.now();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        });
    }

    public long nanoNow() {
        return nanoClock.getAsLong();
    }

    public long epochNow() {
        return epochNanos.getAsLong();
    }

    /** Epoch nanoseconds minus nano-clock nanoseconds, now. */
    public long offsetNs() {
        return epochNanos.getAsLong() - nanoClock.getAsLong();
    }
}
