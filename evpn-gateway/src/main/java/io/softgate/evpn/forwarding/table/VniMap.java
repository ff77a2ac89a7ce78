package io.softgate.evpn.forwarding.table;

import java.util.Arrays;

/**
 * VNI -> VRF index, an open-addressed int map (linear probing, load factor <= 0.5, no boxing).
 * VNI 0 is never a key (the compiler rejects it), so 0 marks an empty slot.
 *
 * <p>Threading: immutable after construction; lookups from any thread.
 */
public final class VniMap {
    /** Returned by {@link #get} for a VNI that is not configured. */
    public static final int MISSING = -1;

    private final int[] keys;
    private final int[] values;
    private final int mask;

    /** Builds the map from parallel arrays; VNIs must be distinct and in 1..2^24-1. */
    public VniMap(int[] vnis, int[] vrfIndices) {
        int capacity = 16;
        while (capacity < vnis.length * 2) {
            capacity <<= 1;
        }
        this.keys = new int[capacity];
        this.values = new int[capacity];
        Arrays.fill(values, MISSING);
        this.mask = capacity - 1;
        for (int i = 0; i < vnis.length; i++) {
            int vni = vnis[i];
            if (vni <= 0 || vni > 0xFF_FFFF) {
                throw new IllegalArgumentException("VNI out of range: " + vni);
            }
            int slot = hash(vni) & mask;
            while (keys[slot] != 0) {
                if (keys[slot] == vni) {
                    throw new IllegalArgumentException("duplicate VNI " + vni);
                }
                slot = (slot + 1) & mask;
            }
            keys[slot] = vni;
            values[slot] = vrfIndices[i];
        }
    }

    private static int hash(int vni) {
        int h = vni * 0x9E37_79B9;
        return h ^ (h >>> 16);
    }

    /** The VRF index for {@code vni}, or {@link #MISSING}. */
    public int get(int vni) {
        if (vni == 0) {
            return MISSING;
        }
        int slot = hash(vni) & mask;
        while (true) {
            int key = keys[slot];
            if (key == vni) {
                return values[slot];
            }
            if (key == 0) {
                return MISSING;
            }
            slot = (slot + 1) & mask;
        }
    }
}
