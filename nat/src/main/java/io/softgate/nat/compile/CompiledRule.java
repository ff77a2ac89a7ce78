package io.softgate.nat.compile;

/**
 * One rule after validation: addresses and ports as numbers, resolved VRF, pool resolved to
 * external addresses. Matching is a handful of integer compares; it runs only on the slow path.
 *
 * <p>Threading: immutable once compiled; read by every worker.
 */
public final class CompiledRule {
    /** Protocol value meaning "any protocol". */
    public static final int PROTOCOL_ALL = 0;

    public final String name;
    public final String vpc;
    public final RuleKind kind;
    public final int vrf;
    public final int protocol;
    public final int sourceAddress;
    public final int sourceMask;
    public final int sourcePortFirst;
    public final int sourcePortLast;
    public final int destinationAddress;
    public final int destinationMask;
    public final int destinationPortFirst;
    public final int destinationPortLast;
    /** Outbound: the pool (one address for snatToIP, MASQUERADE and 1:1); inbound: the public address. */
    public final ExternalAddress[] pool;
    /** Inbound: the VM address; -1-free because 0.0.0.0 is never a valid target. */
    public final int translatedAddress;
    /** Inbound: the VM port for the first port of the range (offset kept), or -1 to keep the port. */
    public final int translatedPortBase;

    CompiledRule(String name, String vpc, RuleKind kind, int vrf, int protocol, int sourceAddress, int sourceMask,
                 int sourcePortFirst, int sourcePortLast, int destinationAddress, int destinationMask,
                 int destinationPortFirst, int destinationPortLast, ExternalAddress[] pool,
                 int translatedAddress, int translatedPortBase) {
        this.name = name;
        this.vpc = vpc;
        this.kind = kind;
        this.vrf = vrf;
        this.protocol = protocol;
        this.sourceAddress = sourceAddress;
        this.sourceMask = sourceMask;
        this.sourcePortFirst = sourcePortFirst;
        this.sourcePortLast = sourcePortLast;
        this.destinationAddress = destinationAddress;
        this.destinationMask = destinationMask;
        this.destinationPortFirst = destinationPortFirst;
        this.destinationPortLast = destinationPortLast;
        this.pool = pool;
        this.translatedAddress = translatedAddress;
        this.translatedPortBase = translatedPortBase;
    }

    /**
     * True when the packet's fields match. Ports are only compared for TCP and UDP; a rule with a
     * port range never matches other protocols.
     */
    public boolean matches(int packetProtocol, int source, int sourcePort, int destination, int destinationPort) {
        if (protocol != PROTOCOL_ALL && protocol != packetProtocol) {
            return false;
        }
        if ((source & sourceMask) != sourceAddress || (destination & destinationMask) != destinationAddress) {
            return false;
        }
        boolean hasPorts = packetProtocol == 6 || packetProtocol == 17;
        if (sourcePortFirst != 0 || sourcePortLast != 65535) {
            if (!hasPorts || sourcePort < sourcePortFirst || sourcePort > sourcePortLast) {
                return false;
            }
        }
        if (destinationPortFirst != 0 || destinationPortLast != 65535) {
            return hasPorts && destinationPort >= destinationPortFirst && destinationPort <= destinationPortLast;
        }
        return true;
    }

    /** Inbound: the VM port a packet to {@code publicPort} goes to. */
    public int translatedPort(int publicPort) {
        return translatedPortBase < 0 ? publicPort : translatedPortBase + (publicPort - destinationPortFirst);
    }

    @Override
    public String toString() {
        return kind + " " + vpc + "/" + name;
    }
}
