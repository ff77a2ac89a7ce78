package io.softgate.nat.stage;

import io.softgate.core.packet.Ipv4Flyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * RFC 5382 REQ-4 for one worker: the unsolicited inbound SYNs it holds for 6 s before deciding
 * whether to answer them. No frame is kept (a stage cannot hold a packet past its batch): a
 * record is the SYN's quote for a later ICMP error (its IP header and first 8 TCP bytes, RFC 792)
 * and the end of its hold. Every record is held equally long, so arrival order is expiry order
 * and the records form a FIFO ring: holding, finding the next expired one and forgetting it are
 * O(1), and nothing is ever allocated or scanned. A full ring refuses new records (the caller
 * drops the SYN plainly and counts it).
 *
 * <p>Whether an outbound SYN for the connection arrived during the hold is not tracked here: the
 * session table answers it at expiry (a translated outbound SYN created the session whose outside
 * key is the held SYN's 5-tuple), whichever worker translated it.
 *
 * <p>Threading: one instance per worker, used only by that worker's thread.
 */
final class HeldSyns {
    /** RFC 5382 REQ-4: no answer to an unsolicited SYN for at least 6 s. */
    static final long HOLD_NS = 6_000_000_000L;
    /** Records one worker holds at most (each about 80 bytes). */
    static final int DEFAULT_CAPACITY = 4096;
    /** The longest quote: an IPv4 header with options and the first 8 bytes of its payload. */
    static final int QUOTE_BYTES = Ipv4Flyweight.MAX_HEADER_LENGTH + 8;

    private final long[] holdEndNs;
    private final int[] quoteLength;
    private final UnsafeBuffer quotes;
    private final int capacity;
    private int head;
    private int count;

    HeldSyns(int capacity) {
        this.capacity = capacity;
        this.holdEndNs = new long[capacity];
        this.quoteLength = new int[capacity];
        this.quotes = new UnsafeBuffer(new byte[Math.max(1, capacity * QUOTE_BYTES)]);
    }

    /**
     * Holds the SYN whose IPv4 header starts at {@code l3} (header and TCP header already
     * validated) until {@code nowNs + HOLD_NS}; false when the ring is full.
     */
    boolean hold(UnsafeBuffer buffer, int l3, long nowNs) {
        if (count == capacity) {
            return false;
        }
        int record = (head + count) % capacity;
        int quoted = Ipv4Flyweight.headerLength(buffer, l3) + 8;
        buffer.getBytes(l3, quotes, record * QUOTE_BYTES, quoted);
        quoteLength[record] = quoted;
        holdEndNs[record] = nowNs + HOLD_NS;
        count++;
        return true;
    }

    /** True when the oldest record's hold has ended at {@code nowNs}. */
    boolean oldestExpired(long nowNs) {
        return count > 0 && nowNs - holdEndNs[head] >= 0;
    }

    /** Offset of the oldest record's quote in {@link #quotes()} (its IPv4 header). */
    int oldestQuoteOffset() {
        return head * QUOTE_BYTES;
    }

    int oldestQuoteLength() {
        return quoteLength[head];
    }

    /** The quotes, read with the flyweights at {@link #oldestQuoteOffset()}. */
    UnsafeBuffer quotes() {
        return quotes;
    }

    /** Forgets the oldest record. */
    void removeOldest() {
        head = head + 1 == capacity ? 0 : head + 1;
        count--;
    }

    int size() {
        return count;
    }
}
