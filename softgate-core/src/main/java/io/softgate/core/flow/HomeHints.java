package io.softgate.core.flow;

import org.agrona.UnsafeAccess;
import sun.misc.Unsafe;

/**
 * The home hint of a {@link FlowTable} slot: a word in the spare space of the slot's first cache
 * line whose bit {@code d} (1..63) says that slot {@code home + d} holds, or held, a key whose
 * home is this slot. A batch lookup whose key is not at home reads the hint from the line it has
 * just loaded and goes straight to the slots it names, instead of loading the key's fingerprints
 * (a line of an array that, at millions of slots, is a memory miss of its own) and then the slot.
 *
 * <p>Invariant (what makes a clear hint mean "absent"): while a key is {@code LIVE} at
 * {@code home + d}, {@code d >= 1}, bit {@code d} of its home's hint is set. The inserter sets the
 * bit after claiming the slot and before its volatile {@code PENDING} store, so the bit is set
 * before the key can be seen; only the next claimer of that same slot clears it, after its claim,
 * when the old key can no longer be {@code LIVE}. Claims are CASes on the slot's state, so one
 * thread at a time owns a given bit; other bits of the word belong to other slots, hence the
 * CAS loops. A set bit whose slot no longer holds such a key (removed, expired, aborted, or
 * reused by a key of another home) is stale: it costs a lookup one slot read, never an answer.
 *
 * <p>Threading: stateless; its methods are lock-free and safe from any thread.
 */
final class HomeHints {
    /** Widest probe window hints can describe: offsets 1..63, bit 0 unused (the home itself). */
    static final int MAX_WINDOW = 64;
    /** Off only to compare lookups with and without hints ({@code -Dsoftgate.flow.homeHints=false}). */
    static final boolean ENABLED = !"false".equals(System.getProperty("softgate.flow.homeHints"));

    private static final Unsafe UNSAFE = UnsafeAccess.UNSAFE;

    private HomeHints() {
    }

    /** Sets bit {@code probe} of the hint at {@code address} (a CAS only when it is clear). */
    static void set(long address, int probe) {
        long bit = 1L << probe;
        long hint = UNSAFE.getLongVolatile(null, address);
        while ((hint & bit) == 0 && !UNSAFE.compareAndSwapLong(null, address, hint, hint | bit)) {
            hint = UNSAFE.getLongVolatile(null, address);
        }
    }

    /** Clears bit {@code probe} of the hint at {@code address} (a CAS only when it is set). */
    static void clear(long address, int probe) {
        long bit = 1L << probe;
        long hint = UNSAFE.getLongVolatile(null, address);
        while ((hint & bit) != 0 && !UNSAFE.compareAndSwapLong(null, address, hint, hint & ~bit)) {
            hint = UNSAFE.getLongVolatile(null, address);
        }
    }

    /** The hint at {@code address}, read once (single-copy atomic). */
    static long read(long address) {
        return UNSAFE.getLongVolatile(null, address);
    }

    /** The bits of {@code hint} for offsets above {@code probe} (0..63). */
    static long after(long hint, int probe) {
        return hint & (-2L << probe);
    }
}
