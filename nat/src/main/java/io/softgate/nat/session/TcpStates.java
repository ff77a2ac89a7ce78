package io.softgate.nat.session;

import io.softgate.core.packet.TcpFlyweight;

/**
 * The TCP state a NAT session tracks (RFC 7857 §2.1, after the RFC 6146 §3.5.2 state machine),
 * only to choose its idle timeout: transitory (at least 4 min, RFC 5382 REQ-5) while opening,
 * after both FINs or after a RST; established (at least 2 h 4 min) otherwise.
 *
 * <p>Threading: stateless constants and functions.
 */
public final class TcpStates {
    public static final int NONE = 0;
    /** The inside host sent a SYN; no SYN back yet. */
    public static final int SYN_FROM_INSIDE = 1;
    /** The outside host sent a SYN (port forward); no SYN back yet. */
    public static final int SYN_FROM_OUTSIDE = 2;
    public static final int ESTABLISHED = 3;
    /** RFC 6146 "V4 FIN RCV" analogue: one side closed; the established timeout still applies. */
    public static final int FIN_FROM_INSIDE = 4;
    public static final int FIN_FROM_OUTSIDE = 5;
    /** Both sides sent FIN: transitory timeout. */
    public static final int FIN_BOTH = 6;
    /** A RST was seen: RFC 7857 §2.2 keeps the session for the transitory timeout, not a moment. */
    public static final int RESET = 7;
    /** Created by a packet without SYN (mid-stream, e.g. after a restart): transitory until the other side answers. */
    public static final int MIDSTREAM_FROM_INSIDE = 8;
    public static final int MIDSTREAM_FROM_OUTSIDE = 9;

    private TcpStates() {
    }

    /** The state of a session created by a packet with {@code flags}. */
    public static int initial(int flags, boolean fromInside) {
        if ((flags & TcpFlyweight.FLAG_SYN) != 0 && (flags & TcpFlyweight.FLAG_ACK) == 0) {
            return fromInside ? SYN_FROM_INSIDE : SYN_FROM_OUTSIDE;
        }
        return fromInside ? MIDSTREAM_FROM_INSIDE : MIDSTREAM_FROM_OUTSIDE;
    }

    /** The state after a packet with {@code flags} travelling inside-to-outside or back. */
    public static int next(int state, int flags, boolean fromInside) {
        if ((flags & TcpFlyweight.FLAG_RST) != 0) {
            return RESET;
        }
        boolean syn = (flags & TcpFlyweight.FLAG_SYN) != 0;
        boolean fin = (flags & TcpFlyweight.FLAG_FIN) != 0;
        switch (state) {
            case SYN_FROM_INSIDE:
                return syn && !fromInside ? ESTABLISHED : state;
            case SYN_FROM_OUTSIDE:
                return syn && fromInside ? ESTABLISHED : state;
            case MIDSTREAM_FROM_INSIDE:
                return !fromInside ? ESTABLISHED : state;
            case MIDSTREAM_FROM_OUTSIDE:
                return fromInside ? ESTABLISHED : state;
            case ESTABLISHED:
                return fin ? (fromInside ? FIN_FROM_INSIDE : FIN_FROM_OUTSIDE) : state;
            case FIN_FROM_INSIDE:
                return fin && !fromInside ? FIN_BOTH : state;
            case FIN_FROM_OUTSIDE:
                return fin && fromInside ? FIN_BOTH : state;
            case RESET:
                // RFC 6146 §3.5.2.2 TRANS state: any non-RST packet brings the session back.
                return ESTABLISHED;
            case NONE:
                return initial(flags, fromInside);
            default:
                return state;
        }
    }

    /** True when the state uses the transitory timeout. */
    public static boolean isTransitory(int state) {
        return state == SYN_FROM_INSIDE || state == SYN_FROM_OUTSIDE || state == FIN_BOTH || state == RESET
            || state == MIDSTREAM_FROM_INSIDE || state == MIDSTREAM_FROM_OUTSIDE;
    }
}
