package io.softgate.nat.session;

/**
 * Layout of the two-word keys and the value words the NAT keeps in its flow tables.
 *
 * <pre>
 * key word 0: tag (3) | IP protocol or protocol class (8) | VRF (21) | source port (16) | destination port (16)
 * key word 1: source address (32) | destination address (32)
 *
 * session entry (INSIDE or OUTSIDE key), 3 value words:
 *   0  rewrite word 0 (new address, new port, L4 checksum delta), see {@link io.softgate.nat.rewrite.Rewrite}
 *   1  rewrite word 1 (IPv4 delta, target VRF, flags) | TCP state (bits 48-55)
 *   2  partner entry index (32) | expiry tick (32)
 * mapping entries (EIM, RFC 4787 REQ-1):
 *   MAPPING_INSIDE  (class, vrf, inside port; inside address): 0 = outside address | port, 1 = session count
 *                   (-1 while being deleted), 2 = partner entry
 *   MAPPING_OUTSIDE (class, outside port; outside address):    0 = inside address | port | vrf, 2 = partner entry
 *   PERMIT          (class, outside port; outside address | remote address): address-dependent filtering
 *   SUBSCRIBER      (class, vrf; inside address): 1 = live bit | stamp | ports in use (RFC 6888 per-subscriber
 *                   limit), -1 once condemned; removed when the count is back at zero (MappingAllocator)
 *   FRAGMENT        (protocol, vrf, IP identification; source | destination): 0, 1 = rewrite of the first fragment,
 *                   or 1 = {@link #FLAG_PASS} (with {@link #FLAG_HAIRPIN} when it went back in) when it passed untranslated
 * </pre>
 * An expiry tick is a nanosecond clock reading shifted right by 20 (about 1.05 ms), compared
 * with wrap-around arithmetic, so timeouts must stay at or below {@link #MAX_TIMEOUT_NS} (about
 * 26 days; the compiler refuses longer ones).
 *
 * <p>Threading: stateless constants and functions.
 */
public final class SessionKeys {
    public static final long TAG_INSIDE = 1;
    public static final long TAG_OUTSIDE = 2;
    public static final long TAG_MAPPING_INSIDE = 3;
    public static final long TAG_MAPPING_OUTSIDE = 4;
    public static final long TAG_PERMIT = 5;
    public static final long TAG_SUBSCRIBER = 6;
    public static final long TAG_FRAGMENT = 7;

    /** Bits of VRF index a key holds: the tags need only 3 bits (1..7), which leaves 21 for the VRF. */
    public static final int VRF_BITS = 21;
    /** Highest VRF index the NAT can key (2,097,151). */
    public static final int MAX_VRF = (1 << VRF_BITS) - 1;
    private static final int TAG_SHIFT = 61;
    private static final int PROTOCOL_SHIFT = 53;
    private static final int VRF_SHIFT = 32;

    public static final int WORD_REWRITE0 = 0;
    public static final int WORD_REWRITE1 = 1;
    public static final int WORD_LINK = 2;
    public static final int VALUE_WORDS = 3;
    public static final int KEY_WORDS = 2;

    /** Session word-1 flag: the session holds a reference on an EIM mapping (dynamic SNAT). */
    public static final long FLAG_DYNAMIC = 1L << 35;
    /** Session word-1 flag: after this rewrite the packet goes to one of our public addresses (hairpin). */
    public static final long FLAG_HAIRPIN = 1L << 36;
    /**
     * Fragment-record word-1 flag: the datagram's first fragment passed untranslated (no rule
     * matched, or an ACCEPT_SNAT exclusion), so its later fragments pass as they are, in the VRF
     * they came in; with {@link #FLAG_HAIRPIN}, then back in through out2in as their first did.
     * The record carries no rewrite (word 0 is zero, and so are word 1's other bits).
     */
    public static final long FLAG_PASS = 1L << 37;
    private static final int TCP_STATE_SHIFT = 48;
    private static final int TICK_SHIFT = 20;
    /** Nanoseconds per expiry tick (2^20, about 1.05 ms). */
    public static final long TICK_NS = 1L << TICK_SHIFT;
    /**
     * Ticks (about 1 s) a stored deadline lies beyond {@code tick(now + timeout)} after a refresh,
     * so a busy session's deadline is written about once a second (NatSessions#refresh).
     */
    static final int REFRESH_STEP_TICKS = 1024;
    /**
     * Longest idle timeout a session deadline can hold: (2^31 - {@link #REFRESH_STEP_TICKS}) ticks,
     * 2,251,798,739,943,424 ns (26 days 1 h 29 min 58.7 s). A deadline written at {@code now}
     * ({@code tick(now + timeout)}, plus the refresh step) lies at most
     * {@code ceil(timeout / TICK_NS) + REFRESH_STEP_TICKS} ticks after {@code tick(now)}, and
     * {@link #expired} (an int difference) sees it as ahead only while that distance is at most
     * 2^31 ticks; this is the largest timeout for which it is, whatever {@code now}.
     */
    public static final long MAX_TIMEOUT_NS = ((1L << 31) - REFRESH_STEP_TICKS) * TICK_NS;

    private SessionKeys() {
    }

    public static long word0(long tag, int protocol, int vrf, int sourcePort, int destinationPort) {
        return (tag << TAG_SHIFT) | ((long) (protocol & 0xFF) << PROTOCOL_SHIFT) | ((long) (vrf & MAX_VRF) << VRF_SHIFT)
            | ((long) (sourcePort & 0xFFFF) << 16) | (destinationPort & 0xFFFF);
    }

    public static long word1(int sourceAddress, int destinationAddress) {
        return ((long) sourceAddress << 32) | (destinationAddress & 0xFFFF_FFFFL);
    }

    /**
     * Writes the OUTSIDE session key: the return traffic of a translated session, from
     * {@code remoteAddress:remotePort} to our {@code outsideAddress:outsidePort} in the public VRF.
     */
    public static void outsideKey(long[] key, int protocol, int publicVrf, int remoteAddress, int remotePort,
                                  int outsideAddress, int outsidePort) {
        key[0] = word0(TAG_OUTSIDE, protocol, publicVrf, remotePort, outsidePort);
        key[1] = word1(remoteAddress, outsideAddress);
    }

    public static long tag(long word0) {
        return word0 >>> TAG_SHIFT;
    }

    public static int protocol(long word0) {
        return (int) (word0 >>> PROTOCOL_SHIFT) & 0xFF;
    }

    public static int vrf(long word0) {
        return (int) (word0 >>> VRF_SHIFT) & MAX_VRF;
    }

    public static int sourcePort(long word0) {
        return (int) (word0 >>> 16) & 0xFFFF;
    }

    public static int destinationPort(long word0) {
        return (int) word0 & 0xFFFF;
    }

    public static int sourceAddress(long word1) {
        return (int) (word1 >>> 32);
    }

    public static int destinationAddress(long word1) {
        return (int) word1;
    }

    public static int tcpState(long rewrite1) {
        return (int) (rewrite1 >>> TCP_STATE_SHIFT) & 0xFF;
    }

    public static long withTcpState(long rewrite1, int state) {
        return (rewrite1 & ~(0xFFL << TCP_STATE_SHIFT)) | ((long) state << TCP_STATE_SHIFT);
    }

    public static int partner(long link) {
        return (int) (link >>> 32);
    }

    public static int expiryTick(long link) {
        return (int) link;
    }

    public static long link(int partner, int expiryTick) {
        return ((long) partner << 32) | (expiryTick & 0xFFFF_FFFFL);
    }

    public static int tick(long nowNs) {
        return (int) (nowNs >> TICK_SHIFT);
    }

    /** True when {@code expiryTick} lies before {@code nowNs} (wrap-around safe). */
    public static boolean expired(int expiryTick, long nowNs) {
        return tick(nowNs) - expiryTick > 0;
    }
}
