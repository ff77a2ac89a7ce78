package io.softgate.nat.session;

/**
 * Per-worker scratch arrays and random state for the NAT's table operations, so the packet path
 * allocates nothing.
 *
 * <p>Threading: owned by one worker (or the sweeper); never shared.
 */
public final class NatScratch {
    public final long[] key = new long[SessionKeys.KEY_WORDS];
    public final long[] key2 = new long[SessionKeys.KEY_WORDS];
    public final long[] values = new long[SessionKeys.VALUE_WORDS];
    public final long[] values2 = new long[SessionKeys.VALUE_WORDS];
    /** Inside key of a session whose refresh is being journaled. */
    public final long[] journalKey = new long[SessionKeys.KEY_WORDS];
    /** Outside address and port of the mapping the last acquire returned. */
    public int mappedAddress;
    public int mappedPort;
    /**
     * The subscriber counter the mapping the last acquire created counted its port in, or -1 (the
     * acquire found an existing mapping): spares the session count a lookup.
     */
    public int subscriberCounter = -1;
    /** VPC VRF of the mapping the last inbound find returned. */
    public int mappedVrf;
    /**
     * The rule the last {@code createOutbound}/{@code createInbound} applied (an exclusion rule
     * when it passed the packet), or null (no rule matched, or an inbound session on an existing
     * EIM mapping). Read only for traced packets.
     */
    public io.softgate.nat.compile.CompiledRule rule;
    /** True when the last session creation created it (false: another worker had). */
    public boolean created;
    /** Keeps the slow path's early slot loads alive (never read for meaning). */
    public long prefetchSink;
    /** Stamps {@link #nextStamp} takes from the shared sequence at a time. */
    static final int STAMP_RUN = 256;
    private long random;
    /** The run of stamps this scratch took from the shared sequence: next one, and one past the last. */
    private long nextStamp;
    private long stampRunEnd;
    /** A random value drawn ahead for this packet's port claim (see {@link #offerPredrawnRandom}). */
    private int predrawnRandom;
    private boolean hasPredrawnRandom;

    public NatScratch(long seed) {
        this.random = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
    }

    /** Next pseudo-random int (xorshift64*), for RFC 6056 port randomisation. */
    public int nextRandom() {
        long x = random;
        x ^= x >>> 12;
        x ^= x << 25;
        x ^= x >>> 27;
        random = x;
        return (int) ((x * 0x2545F4914F6CDD1DL) >>> 32);
    }

    /**
     * A stamp for a new mapping's reference word ({@code MappingAllocator#takeReference}): the next
     * of a run of {@value #STAMP_RUN} consecutive values this scratch took from {@code sequence},
     * so every stamp is drawn once, as if each were taken from the sequence itself (stamps repeat
     * only once the sequence has moved on by the stamp space, whatever the runs), while a worker
     * touches the shared counter once per run. No allocation.
     */
    long nextStamp(java.util.concurrent.atomic.AtomicLong sequence) {
        if (nextStamp == stampRunEnd) {
            nextStamp = sequence.getAndAdd(STAMP_RUN);
            stampRunEnd = nextStamp + STAMP_RUN;
        }
        return nextStamp++;
    }

    /**
     * Hands the next random port claim a value {@link #nextRandom} gave earlier for this very
     * packet (the batch pre-pass drew it to load the port's state word and the slots its port
     * decides ahead of time, {@link OutboundCreationPrefetch}). Used at most once; the caller
     * clears it with {@link #clearPredrawnRandom} once the packet's slow path returned, so it
     * never reaches another packet.
     */
    public void offerPredrawnRandom(int value) {
        predrawnRandom = value;
        hasPredrawnRandom = true;
    }

    /** Forgets a value {@link #offerPredrawnRandom} handed over and no claim used. */
    public void clearPredrawnRandom() {
        hasPredrawnRandom = false;
    }

    /**
     * RFC 6056 §3.3.1: the random value a port claim starts from: the one drawn ahead for this
     * packet, if any and not yet used, otherwise a fresh one. Either way it is one output of
     * this scratch's generator that no other claim uses, so the choice stays uniformly random.
     */
    int portRandom() {
        if (hasPredrawnRandom) {
            hasPredrawnRandom = false;
            return predrawnRandom;
        }
        return nextRandom();
    }
}
