package io.softgate.service.state;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The byte layout of one persisted NAT session in the Chronicle Map: the key is the session's
 * inside key (two longs); the value holds a format version, the outside key, both precompiled
 * rewrites (TCP state included) and the idle deadline as wall-clock nanoseconds since the epoch
 * (a nanoTime reading means nothing to the next process).
 *
 * <pre>
 * key   (16 bytes): inside0, inside1
 * value (64 bytes): version, outside0, outside1, insideRewrite0, insideRewrite1, outsideRewrite0,
 *                   outsideRewrite1, deadlineEpochNs
 * </pre>
 * Little-endian longs.
 *
 * <p>Threading: stateless helpers over caller-owned arrays.
 */
final class SessionRecord {
    static final int KEY_BYTES = 16;
    static final int VALUE_BYTES = 64;
    static final long VERSION = 1;
    static final int OUTSIDE0 = 1;
    static final int OUTSIDE1 = 2;
    static final int INSIDE_REWRITE0 = 3;
    static final int INSIDE_REWRITE1 = 4;
    static final int OUTSIDE_REWRITE0 = 5;
    static final int OUTSIDE_REWRITE1 = 6;
    static final int DEADLINE_EPOCH_NS = 7;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private SessionRecord() {
    }

    static void putLong(byte[] bytes, int word, long value) {
        LONGS.set(bytes, word * 8, value);
    }

    static long getLong(byte[] bytes, int word) {
        return (long) LONGS.get(bytes, word * 8);
    }

    static void key(byte[] key, long inside0, long inside1) {
        putLong(key, 0, inside0);
        putLong(key, 1, inside1);
    }
}
