package io.softgate.acl.classify;

/**
 * A batch of packets to classify together ({@link VrfClassifier#classify(ClassifyBatch)}): the
 * caller {@link #add}s each packet's header fields, classifies the whole batch at once and reads
 * each packet's {@link #rank}. Classifying a batch instead of one packet at a time lets the
 * classifier walk its tables breadth-first (one level for every packet, then the next level), so
 * the cache misses of different packets overlap. Holds its own scratch: nothing is allocated
 * after construction.
 *
 * <p>Threading: confined to one worker thread (one instance per stage instance).
 */
public final class ClassifyBatch {
    /** {@link #vpcAddresses}: the packets' source addresses are the VPC's own (an egress ACL). */
    public static final int SOURCE = 1;
    /** {@link #vpcAddresses}: the packets' destination addresses are the VPC's own (an ingress ACL). */
    public static final int DESTINATION = 2;
    /** {@link #vpcAddresses}: either may be (the default). */
    public static final int EITHER = SOURCE | DESTINATION;

    private final int capacity;
    private int size;
    private int vpcSide = EITHER;

    final boolean[] ipv6;
    final long[] srcHigh;
    final long[] srcLow;
    final long[] dstHigh;
    final long[] dstLow;
    final int[] protocol;
    final int[] srcPort;
    final int[] dstPort;
    final int[] icmpType;
    final boolean[] nonFirstFragment;
    final int[] rank;
    // Scratch of the classifier.
    final int[] destinationList;
    final int[] sourceList;
    final int[] pending;
    final int[] ipv4Members;
    final int[] ipv6Members;
    /** Sum of the touched list heads (kept so the touching loads are not optimised away). */
    int touched;

    public ClassifyBatch(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be > 0: " + capacity);
        }
        this.capacity = capacity;
        ipv6 = new boolean[capacity];
        srcHigh = new long[capacity];
        srcLow = new long[capacity];
        dstHigh = new long[capacity];
        dstLow = new long[capacity];
        protocol = new int[capacity];
        srcPort = new int[capacity];
        dstPort = new int[capacity];
        icmpType = new int[capacity];
        nonFirstFragment = new boolean[capacity];
        rank = new int[capacity];
        destinationList = new int[capacity];
        sourceList = new int[capacity];
        pending = new int[capacity];
        ipv4Members = new int[capacity];
        ipv6Members = new int[capacity];
    }

    /**
     * Adds a packet and returns its index in the batch (the caller checks {@link #isFull()}
     * first). Addresses are 128-bit as in {@link VrfClassifier#classify(boolean, long, long, long,
     * long, int, int, int, int, boolean)}; for ICMP pass the type in {@code icmpType} (else -1).
     */
    public int add(boolean ipv6Packet, long sourceHigh, long sourceLow, long destinationHigh, long destinationLow,
                   int ipProtocol, int sourcePort, int destinationPort, int type, boolean nonFirst) {
        int at = size++;
        ipv6[at] = ipv6Packet;
        srcHigh[at] = sourceHigh;
        srcLow[at] = sourceLow;
        dstHigh[at] = destinationHigh;
        dstLow[at] = destinationLow;
        protocol[at] = ipProtocol;
        srcPort[at] = sourcePort;
        dstPort[at] = destinationPort;
        icmpType[at] = type;
        nonFirstFragment[at] = nonFirst;
        rank[at] = VrfClassifier.NO_MATCH;
        return at;
    }

    /** The rank the last {@link VrfClassifier#classify(ClassifyBatch)} gave packet {@code index}. */
    public int rank(int index) {
        return rank[index];
    }

    /** The fields packet {@code index} was added with (for the caller finishing it). */
    public boolean isIpv6(int index) {
        return ipv6[index];
    }

    public long sourceHigh(int index) {
        return srcHigh[index];
    }

    public long sourceLow(int index) {
        return srcLow[index];
    }

    public long destinationHigh(int index) {
        return dstHigh[index];
    }

    public long destinationLow(int index) {
        return dstLow[index];
    }

    public int protocol(int index) {
        return protocol[index];
    }

    public int sourcePort(int index) {
        return srcPort[index];
    }

    public int destinationPort(int index) {
        return dstPort[index];
    }

    public int icmpType(int index) {
        return icmpType[index];
    }

    public boolean isNonFirstFragment(int index) {
        return nonFirstFragment[index];
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return capacity;
    }

    public boolean isFull() {
        return size == capacity;
    }

    /**
     * Which of the packets' addresses are the VPC's own, as the stage's placement knows it
     * ({@link #SOURCE}, {@link #DESTINATION} or {@link #EITHER}). A hint for prefetching only: the
     * classifier touches ahead of its scans the candidate lists of the index of that field, the
     * one the VPC's rules fill; the other address ranges over the internet and rarely reaches a
     * list there. Every value gives the same answers.
     */
    public void vpcAddresses(int side) {
        if (side < SOURCE || side > EITHER) {
            throw new IllegalArgumentException("side must be SOURCE, DESTINATION or EITHER: " + side);
        }
        vpcSide = side;
    }

    int vpcSide() {
        return vpcSide;
    }

    /** Empties the batch (its arrays are reused). */
    public void clear() {
        size = 0;
    }
}
