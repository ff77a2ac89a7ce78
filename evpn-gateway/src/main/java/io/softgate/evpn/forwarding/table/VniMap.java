package io.softgate.evpn.forwarding.table;

/**
 * VNI -> VRF index, an open-addressed int map (linear probing, load factor <= 0.5, no boxing).
 * VNI 0 is never a key (the compiler rejects it), so 0 marks an empty slot. Key and value sit
 * side by side in one int array, so a lookup usually reads one cache line (with 100,000 VPCs and
 * traffic spread over them, that line is cold).
 *
 * <p>Threading: immutable after construction; lookups from any thread.
 */
public final class VniMap {
    /** Returned by {@link #get} for a VNI that is not configured. */
    public static final int MISSING = -1;

    /** Slot i: key at 2i, value at 2i + 1. */
    private final int[] slots;
    private final int mask;

    /** Builds the map from parallel arrays; VNIs must be distinct and in 1..2^24-1. */
    public VniMap(int[] vnis, int[] vrfIndices) {
        int capacity = 16;
        while (capacity < vnis.length * 2) {
            capacity <<= 1;
        }
        this.slots = new int[capacity * 2];
        this.mask = capacity - 1;
        for (int i = 0; i < vnis.length; i++) {
            int vni = vnis[i];
            if (vni <= 0 || vni > 0xFF_FFFF) {
                throw new IllegalArgumentException("VNI out of range: " + vni);
            }
            int slot = hash(vni) & mask;
            while (slots[2 * slot] != 0) {
                if (slots[2 * slot] == vni) {
                    throw new IllegalArgumentException("duplicate VNI " + vni);
                }
                slot = (slot + 1) & mask;
            }
            slots[2 * slot] = vni;
            slots[2 * slot + 1] = vrfIndices[i];
        }
    }

    /** A map with the same keys whose values are {@code newValueByOldValue[old value]}. */
    public VniMap remap(int[] newValueByOldValue) {
        int count = 0;
        for (int slot = 0; slot <= mask; slot++) {
            count += slots[2 * slot] != 0 ? 1 : 0;
        }
        int[] vnis = new int[count];
        int[] values = new int[count];
        int next = 0;
        for (int slot = 0; slot <= mask; slot++) {
            if (slots[2 * slot] != 0) {
                vnis[next] = slots[2 * slot];
                values[next] = newValueByOldValue[slots[2 * slot + 1]];
                next++;
            }
        }
        return new VniMap(vnis, values);
    }

    private static int hash(int vni) {
        int h = vni * 0x9E37_79B9;
        return h ^ (h >>> 16);
    }

    /**
     * Reads the home slot of {@code vni} and returns its key, nothing more: a batch-wide pass of
     * these loads, which do not depend on one another, brings many packets' entries into the cache
     * at once, so the {@link #get} that follows finds them there.
     */
    public int touch(int vni) {
        return slots[2 * (hash(vni) & mask)];
    }

    /** True when the map is larger than a core's caches keep warm under traffic (over 64 KiB). */
    public boolean isLarge() {
        return slots.length > 16_384;
    }

    /** The VRF index for {@code vni}, or {@link #MISSING}. */
    public int get(int vni) {
        if (vni == 0) {
            return MISSING;
        }
        int slot = hash(vni) & mask;
        while (true) {
            int key = slots[2 * slot];
            if (key == vni) {
                return slots[2 * slot + 1];
            }
            if (key == 0) {
                return MISSING;
            }
            slot = (slot + 1) & mask;
        }
    }
}
