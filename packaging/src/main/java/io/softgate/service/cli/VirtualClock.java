package io.softgate.service.cli;

import io.softgate.core.pipeline.NanoClock;
import org.agrona.concurrent.EpochNanoClock;

/**
 * A clock for offline runs: every read advances it by a fixed tick, so a replay sees the same
 * times (and writes the same capture timestamps) on every run.
 *
 * <p>Threading: single-threaded, like the replay that owns it.
 */
final class VirtualClock implements NanoClock, EpochNanoClock {
    private final long tickNs;
    private long nowNs;

    VirtualClock(long startNs, long tickNs) {
        this.nowNs = startNs;
        this.tickNs = tickNs;
    }

    @Override
    public long nanoTime() {
        nowNs += tickNs;
        return nowNs;
    }
}
