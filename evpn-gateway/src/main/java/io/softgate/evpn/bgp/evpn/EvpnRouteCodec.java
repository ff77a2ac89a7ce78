package io.softgate.evpn.bgp.evpn;

import io.netty.buffer.ByteBuf;

/**
 * Encodes and decodes the body of one EVPN route type (the octets after Route Type and
 * Length, RFC 7432 §7).
 *
 * <p>Threading: implementations are stateless, safe from any thread.
 *
 * @param <T> the route type's record
 */
public interface EvpnRouteCodec<T extends EvpnRoute> {
    int routeType();

    Class<T> routeClass();

    /**
     * Decodes a body of exactly {@code length} octets, or returns null when the body is
     * inconsistent with its type (the caller treats that as a syntactically incorrect NLRI).
     */
    T decode(ByteBuf in, int length);

    /** Octets of the body {@link #encode} writes. */
    int bodyLength(T route);

    void encode(T route, ByteBuf out);

    /** Reads a 3-octet label field as its raw 24-bit value (the VNI, RFC 8365 §5.1.3). */
    static int readLabel(ByteBuf in) {
        return in.readUnsignedMedium();
    }

    static void writeLabel(ByteBuf out, int label) {
        out.writeMedium(label);
    }
}
