package io.softgate.lb.maglev;

import java.nio.charset.StandardCharsets;

/**
 * The fixed 64-bit hash functions behind every Maglev decision, specified exactly so that every
 * softgate of a tier (and every run of one) computes the same tables and picks the same backend:
 * never {@link Object#hashCode()}, never a random seed.
 *
 * <ul>
 *   <li>{@link #identityHash(String)}: FNV-1a 64 (offset basis {@code 0xcbf29ce484222325},
 *       prime {@code 0x100000001b3}) over the UTF-8 bytes of the identity string;</li>
 *   <li>{@link #mix64(long)}: the MurmurHash3 64-bit finalizer (xor-shift 33, multiply
 *       {@code 0xff51afd7ed558ccd}, xor-shift 33, multiply {@code 0xc4ceb9fe1a85ec53}, xor-shift 33);</li>
 *   <li>offset = mix64(h) mod M, skip = mix64(h xor {@link #SKIP_SALT}) mod (M - 1) + 1
 *       (unsigned remainders), as in Eisenbud et al., NSDI 2016, §3.4;</li>
 *   <li>the flow hash of an IPv4 5-tuple is {@link #flowHash}.</li>
 * </ul>
 *
 * <p>Threading: stateless static functions.
 */
public final class MaglevHash {
    static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
    static final long FNV_PRIME = 0x100000001b3L;
    /** Salt that makes the skip hash independent of the offset hash (the 64-bit golden ratio). */
    public static final long SKIP_SALT = 0x9E3779B97F4A7C15L;

    private MaglevHash() {
    }

    /** FNV-1a 64 over the UTF-8 encoding of {@code identity}. */
    public static long identityHash(String identity) {
        byte[] bytes = identity.getBytes(StandardCharsets.UTF_8);
        long hash = FNV_OFFSET_BASIS;
        for (byte b : bytes) {
            hash ^= b & 0xFF;
            hash *= FNV_PRIME;
        }
        return hash;
    }

    /** MurmurHash3's fmix64: every input bit affects every output bit. */
    public static long mix64(long value) {
        long h = value;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** Maglev offset of a backend in a table of {@code tableSize} slots: in [0, tableSize). */
    public static int offset(String identity, int tableSize) {
        return offset(identityHash(identity), tableSize);
    }

    /** {@link #offset(String, int)} from the backend's {@link #identityHash}. */
    public static int offset(long identityHash, int tableSize) {
        return (int) Long.remainderUnsigned(mix64(identityHash), tableSize);
    }

    /** Maglev skip of a backend: in [1, tableSize - 1], so with a prime size it visits every slot. */
    public static int skip(String identity, int tableSize) {
        return skip(identityHash(identity), tableSize);
    }

    /** {@link #skip(String, int)} from the backend's {@link #identityHash}. */
    public static int skip(long identityHash, int tableSize) {
        return (int) Long.remainderUnsigned(mix64(identityHash ^ SKIP_SALT), tableSize - 1L) + 1;
    }

    /**
     * Hash of an IPv4 connection, the same on every node: mix64 over
     * {@code source << 32 | destination}, then mix64 of that xor
     * {@code sourcePort << 24 | destinationPort << 8 | protocol}.
     */
    public static long flowHash(int source, int destination, int sourcePort, int destinationPort, int protocol) {
        long addresses = ((long) source << 32) | (destination & 0xFFFF_FFFFL);
        long ports = ((long) (sourcePort & 0xFFFF) << 24) | ((long) (destinationPort & 0xFFFF) << 8) | (protocol & 0xFF);
        return mix64(mix64(addresses) ^ ports);
    }
}
