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

    public NextHopGroups(int[] first, int[] size, int[] members) {
        this.first = first;
        this.size = size;
        this.members = members;
    }

    /** The adjacency that {@code flowHash} selects in {@code group}. */
    public int select(int group, int flowHash) {
        int count = size[group];
        int start = first[group];
        return count == 1 ? members[start] : members[start + Integer.remainderUnsigned(flowHash, count)];
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
