package io.softgate.lb.maglev;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A built Maglev lookup table: {@code tableSize} slots, each naming one backend by its position
 * in {@link #backendIdentities()} (sorted by identity), or {@link #NO_BACKEND} when the backend
 * set was empty or had no weight.
 *
 * <p>Threading: immutable after construction; safe to read from any thread.
 */
public final class MaglevTable {
    /** Slot value when there is no backend to choose. */
    public static final int NO_BACKEND = -1;

    private final List<String> backendIdentities;
    private final int[] slots;

    MaglevTable(List<String> backendIdentities, int[] slots) {
        this.backendIdentities = List.copyOf(backendIdentities);
        this.slots = slots;
    }

    public int tableSize() {
        return slots.length;
    }

    /** Backend identities in the order slot values refer to (ascending by identity string). */
    public List<String> backendIdentities() {
        return backendIdentities;
    }

    /** Backend position for slot {@code slot}, or {@link #NO_BACKEND}. */
    public int backendAt(int slot) {
        return slots[slot];
    }

    /** Backend position for a flow hash: slot = unsigned {@code flowHash mod tableSize}. */
    public int backendFor(long flowHash) {
        return slots[(int) Long.remainderUnsigned(flowHash, slots.length)];
    }

    /** A copy of the slots (control plane; the compiler maps positions to its backend ids). */
    public int[] slotsCopy() {
        return slots.clone();
    }

    /** Most backends a {@link #compactSlots()} table can name (position 65535 means "no backend"). */
    public static final int MAX_COMPACT_BACKENDS = 65_535;

    /**
     * The slots as 16-bit backend positions, with {@link #NO_BACKEND} written as the number of
     * backends (control plane: half the memory of the int slots, for tables published to the data plane).
     *
     * @throws IllegalStateException when the table names more than {@link #MAX_COMPACT_BACKENDS} backends
     */
    public char[] compactSlots() {
        return compact(slots, backendIdentities.size());
    }

    /** {@code slots} (positions of {@code backendCount} backends) in the 16-bit form of {@link #compactSlots()}. */
    static char[] compact(int[] slots, int backendCount) {
        if (backendCount > MAX_COMPACT_BACKENDS) {
            throw new IllegalStateException("a compact Maglev table holds at most " + MAX_COMPACT_BACKENDS
                + " backends, this one " + backendCount);
        }
        char[] compact = new char[slots.length];
        for (int slot = 0; slot < slots.length; slot++) {
            int position = slots[slot];
            compact[slot] = (char) (position == NO_BACKEND ? backendCount : position);
        }
        return compact;
    }

    /** Number of slots held by backend position {@code backend}. */
    public int slotCount(int backend) {
        int count = 0;
        for (int value : slots) {
            if (value == backend) {
                count++;
            }
        }
        return count;
    }

    /**
     * SHA-256 (hex) over the table size and, for every slot in order, the identity string of its
     * backend (UTF-8, newline-terminated; "-" for no backend): equal digests mean equal tables.
     */
    public String digest() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(ByteBuffer.allocate(4).putInt(slots.length).array());
            byte[][] encoded = new byte[backendIdentities.size()][];
            for (int i = 0; i < encoded.length; i++) {
                encoded[i] = (backendIdentities.get(i) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }
            byte[] none = "-\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            for (int value : slots) {
                sha.update(value == NO_BACKEND ? none : encoded[value]);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
