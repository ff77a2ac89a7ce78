package io.softgate.nat.session;

import io.softgate.core.packet.TcpFlyweight;

/**
 * The TCP state a NAT session tracks (RFC 7857 §2.1, after the RFC 6146 §3.5.2 state machine),
 * only to choose its idle timeout: transitory (at least 4 min, RFC 5382 REQ-5) while opening,
 * after both FINs or after a RST; established (at least 2 h 4 min) otherwise.
 *
 * <p>Reuse of a closed connection's 5-tuple: in RFC 7857 Figure 1 the session goes from
 * "both FINs received" back to CLOSED when its 4-minute lifetime expires, and a SYN then opens a
 * new one. The 4 minutes are 2 MSL, the endpoints' TIME-WAIT (RFC 5382 REQ-5), and an endpoint in
 * TIME-WAIT may accept a new SYN for the same 5-tuple and reopen the connection at once (RFC 1122
 * §4.2.2.13, RFC 6191; RFC 9293 §3.10.7.4). Since this session still exists then, a SYN without
 * ACK in {@link #FIN_BOTH} or {@link #RESET} (where the connection is also over) is that new
 * connection: the machine starts again at {@link #SYN_FROM_INSIDE} / {@link #SYN_FROM_OUTSIDE},
 * and the other side's SYN makes it {@link #ESTABLISHED} with the established timeout, exactly as
 * for a session created by the SYN. In the half-closed states ({@link #FIN_FROM_INSIDE},
 * {@link #FIN_FROM_OUTSIDE}) a SYN changes nothing: the side that has not closed still holds the
 * old connection and does not accept a SYN on it (RFC 9293 §3.10.7.4 answers it with an ACK), and
 * those states keep the established timeout anyway.
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
        boolean opening = syn && (flags & TcpFlyweight.FLAG_ACK) == 0;
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
            case FIN_BOTH:
                // A new connection on the 5-tuple (TIME-WAIT reuse, see the class comment).
                return opening ? (fromInside ? SYN_FROM_INSIDE : SYN_FROM_OUTSIDE) : state;
            case RESET:
                // A new connection on the 5-tuple opens as one; otherwise RFC 6146 §3.5.2.2 TRANS
                // state: any non-RST packet brings the session back.
                return opening ? (fromInside ? SYN_FROM_INSIDE : SYN_FROM_OUTSIDE) : ESTABLISHED;
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
