package io.softgate.evpn.forwarding.stage;

/**
 * A token bucket for the ICMP errors one worker generates (RFC 1812 §4.3.2.8, RFC 4443 §2.4(f)):
 * {@code ratePerSecond} tokens per second, at most {@code burst} saved up. The rate comes from
 * the current snapshot on every call; a change restarts the bucket full.
 *
 * <p>Threading: owned by one worker's stage; not thread-safe.
 */
public final class IcmpRateLimiter {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private int ratePerSecond = -1;
    private int burst = -1;
    private long intervalNs;
    private long tokens;
    private long lastRefillNs;

    /** Takes one token at time {@code nowNs} if there is one. */
    public boolean tryAcquire(long nowNs, int ratePerSecond, int burst) {
        if (ratePerSecond != this.ratePerSecond || burst != this.burst) {
            this.ratePerSecond = ratePerSecond;
            this.burst = burst;
            this.intervalNs = ratePerSecond > 0 ? Math.max(1, NANOS_PER_SECOND / ratePerSecond) : Long.MAX_VALUE;
            this.tokens = burst;
            this.lastRefillNs = nowNs;
        }
        if (ratePerSecond == 0) {
            return false;
        }
        long elapsedNs = nowNs - lastRefillNs;
        if (elapsedNs >= intervalNs) {
            long earned = elapsedNs / intervalNs;
            if (tokens + earned >= burst) {
                tokens = burst;
                lastRefillNs = nowNs;
            } else {
                tokens += earned;
                lastRefillNs += earned * intervalNs;
            }
        }
        if (tokens > 0) {
            tokens--;
            return true;
        }
        return false;
    }
}
