package io.softgate.core.pipeline;

import io.softgate.core.memory.FrameMemory;
import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The packets a worker holds in flight: a fixed number of slots, each with its frame and the
 * metadata stages pass along (struct of arrays, so nothing is allocated per packet). Stages see
 * slots through {@link StageVector}s; a slot keeps its index while it moves between stages.
 *
 * <p>Threading: owned by one worker; never shared.
 */
public final class PacketBatch {
    /** Value of {@link #adjacency} and {@link #vrf} before a stage has set them. */
    public static final int UNSET = -1;

    private final FrameMemory memory;
    private final UnsafeBuffer buffer;
    private final int capacity;
    private final int receiveCapacity;

    /** Frame index that holds the packet. */
    public final int[] frame;
    /** Absolute offset in {@link #buffer()} of the packet's first byte (outer Ethernet, or IP on an IP port). */
    public final int[] offset;
    /** Packet length in bytes from {@link #offset}. */
    public final int[] length;
    /** Port (PacketIo index) the packet arrived on. */
    public final int[] ingressPort;
    /** Port the packet leaves by; set by the stage that decides the egress. */
    public final int[] egressPort;
    /** VXLAN network identifier the packet arrived with, or {@link #UNSET}. */
    public final int[] vni;
    /** Compiled VRF index the packet is being routed in, or {@link #UNSET}. */
    public final int[] vrf;
    /** Absolute offset of the inner (tenant) IP header, or {@link #UNSET}. */
    public final int[] l3Offset;
    /** Absolute offset of the inner L4 header, or {@link #UNSET} (also for non-first fragments). */
    public final int[] l4Offset;
    /** Flow hash of the inner packet's 5-tuple, used for ECMP, worker steering and UDP source ports. */
    public final int[] flowHash;
    /** Compiled adjacency (next hop) index chosen by the route lookup, or {@link #UNSET}. */
    public final int[] adjacency;
    /** Per-packet flags (see {@link PacketFlags}). */
    public final int[] flags;
    /** A free word a stage may hand to the next (e.g. a session or rule index). */
    public final long[] aux;

    private int size;

    /** A batch whose every slot may be filled by receive ({@link #stageSlots()} is 0). */
    public PacketBatch(FrameMemory memory, int capacity) {
        this(memory, capacity, 0);
    }

    /**
     * A batch of {@code receiveCapacity + stageSlots} slots, of which receive fills at most
     * {@code receiveCapacity} ({@link #receiveCapacity()}): the other {@code stageSlots} stay free
     * for packets the stages make themselves (an answer to a held SYN, a held fragment released),
     * which otherwise would find no room whenever traffic fills every batch.
     */
    public PacketBatch(FrameMemory memory, int receiveCapacity, int stageSlots) {
        if (receiveCapacity <= 0 || stageSlots < 0) {
            throw new IllegalArgumentException("receive capacity must be > 0 and stage slots >= 0: " + receiveCapacity
                + ", " + stageSlots);
        }
        int capacity = receiveCapacity + stageSlots;
        this.receiveCapacity = receiveCapacity;
        this.memory = memory;
        this.buffer = memory.buffer();
        this.capacity = capacity;
        this.frame = new int[capacity];
        this.offset = new int[capacity];
        this.length = new int[capacity];
        this.ingressPort = new int[capacity];
        this.egressPort = new int[capacity];
        this.vni = new int[capacity];
        this.vrf = new int[capacity];
        this.l3Offset = new int[capacity];
        this.l4Offset = new int[capacity];
        this.flowHash = new int[capacity];
        this.adjacency = new int[capacity];
        this.flags = new int[capacity];
        this.aux = new long[capacity];
        resetMetadata(capacity);
    }

    public FrameMemory memory() {
        return memory;
    }

    /** The buffer covering all frames; flyweights read a packet at {@code offset[slot]}. */
    public UnsafeBuffer buffer() {
        return buffer;
    }

    /** Slots in all: what per-slot arrays must hold, since stages may add packets up to it. */
    public int capacity() {
        return capacity;
    }

    /** Slots a receive may fill ({@link io.softgate.core.io.PacketIo#receive} stops here); the rest are for the stages' own packets. */
    public int receiveCapacity() {
        return receiveCapacity;
    }

    /** Slots kept free of received packets for the packets stages add ({@link #capacity()} - {@link #receiveCapacity()}). */
    public int stageSlots() {
        return capacity - receiveCapacity;
    }

    /** Number of slots filled by the last receive (slots {@code [0, size)}). */
    public int size() {
        return size;
    }

    /**
     * Fills the next slot with a received packet; returns the slot index. The slot's metadata
     * ({@link #egressPort}, {@link #vni}, {@link #vrf}, {@link #l3Offset}, {@link #l4Offset},
     * {@link #adjacency}: {@link #UNSET}; {@link #flowHash}, {@link #flags}, {@link #aux}: 0) is
     * already reset: by the constructor, or by the {@link #clear} that emptied the batch. The
     * caller must have checked {@code size() < capacity()}.
     */
    public int add(int frameIndex, int packetOffset, int packetLength, int port) {
        int slot = size++;
        frame[slot] = frameIndex;
        offset[slot] = packetOffset;
        length[slot] = packetLength;
        ingressPort[slot] = port;
        return slot;
    }

    /**
     * Forgets all slots; the frames must already have been handed on or released. Resets the
     * metadata of the slots the batch held, so that every slot at or past {@link #size()} holds
     * the values {@link #add} promises: one vectorized fill per field for the whole batch costs
     * less than a store and a bounds check per field for each packet.
     */
    public void clear() {
        int used = size;
        if (used > 0) {
            resetMetadata(used);
            size = 0;
        }
    }

    /** Sets the metadata of slots {@code [0, to)} to their before-any-stage values. */
    private void resetMetadata(int to) {
        Arrays.fill(egressPort, 0, to, UNSET);
        Arrays.fill(vni, 0, to, UNSET);
        Arrays.fill(vrf, 0, to, UNSET);
        Arrays.fill(l3Offset, 0, to, UNSET);
        Arrays.fill(l4Offset, 0, to, UNSET);
        Arrays.fill(flowHash, 0, to, 0);
        Arrays.fill(adjacency, 0, to, UNSET);
        Arrays.fill(flags, 0, to, 0);
        Arrays.fill(aux, 0, to, 0);
    }

    /** Absolute offset one past the last byte the packet in {@code slot} may grow into. */
    public int frameEnd(int slot) {
        return memory.frameEnd(frame[slot]);
    }

    /** Absolute offset of the first byte of the frame in {@code slot} (the limit for prepending). */
    public int frameStart(int slot) {
        return memory.frameOffset(frame[slot]);
    }
}
