package io.softgate.evpn.forwarding.table;

/**
 * Next-hop groups (ECMP sets): group {@code g} holds adjacencies
 * {@code members[first[g] .. first[g] + size[g])}; a packet picks one by its flow hash, so one
 * flow always takes the same path.
 *
 * <p>Threading: immutable after construction; lookups from any thread.
 */
public final class NextHopGroups {
    private final int[] first;
    private final int[] size;
    private final int[] members;
    /** Per group: its adjacency when it has exactly one (most routes), else -1: one load per packet. */
    private final int[] onlyMember;

    public NextHopGroups(int[] first, int[] size, int[] members) {
        this.first = first;
        this.size = size;
        this.members = members;
        this.onlyMember = new int[first.length];
        for (int g = 0; g < first.length; g++) {
            onlyMember[g] = size[g] == 1 ? members[first[g]] : -1;
        }
    }

    /** The adjacency that {@code flowHash} selects in {@code group}. */
    public int select(int group, int flowHash) {
        int only = onlyMember[group];
        if (only >= 0) {
            return only;
        }
        return members[first[group] + Integer.remainderUnsigned(flowHash, size[group])];
    }

    public int groupCount() {
        return first.length;
    }

    public int size(int group) {
        return size[group];
    }

    public int member(int group, int i) {
        return members[first[group] + i];
    }
}
