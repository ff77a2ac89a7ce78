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

    /**
     * Writes, for every slot, {@code valueOfPosition[position]} of its backend (or
     * {@link #NO_BACKEND}) into {@code target} (control plane: the compiler maps positions to its
     * stable backend ids without copying the table first).
     */
    public void mapSlots(int[] valueOfPosition, int[] target) {
        if (target.length != slots.length) {
            throw new IllegalArgumentException("target has " + target.length + " slots, the table " + slots.length);
        }
        for (int slot = 0; slot < slots.length; slot++) {
            int position = slots[slot];
            target[slot] = position == NO_BACKEND ? NO_BACKEND : valueOfPosition[position];
        }
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
