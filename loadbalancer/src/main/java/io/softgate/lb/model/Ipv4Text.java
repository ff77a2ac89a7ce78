package io.softgate.lb.model;

import io.softgate.core.packet.Ipv4Flyweight;

/**
 * The one spelling of an IPv4 address the load-balancer model keeps: {@link Ipv4Flyweight#parse}
 * accepts leading zeros ({@code "010.1.0.5"} is 10.1.0.5), so the model stores every address it
 * can parse re-formatted as a canonical dotted quad. Everything keyed by address text (backend
 * identities and {@link BackendKey}s, duplicate checks, the VIPs reported available) then sees one
 * key per address, and the validator, compiler, health checker and VIP tracker agree.
 *
 * <p>Threading: stateless.
 */
public final class Ipv4Text {
    private Ipv4Text() {
    }

    /**
     * {@code text} as a canonical dotted quad, or unchanged (null included) when it is not an IPv4
     * address, so that the validator still sees and names what was written.
     */
    public static String canonical(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Ipv4Flyweight.format(Ipv4Flyweight.parse(text));
        } catch (IllegalArgumentException e) {
            return text;
        }
    }
}
