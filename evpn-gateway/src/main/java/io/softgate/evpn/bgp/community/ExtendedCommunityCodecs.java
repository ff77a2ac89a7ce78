package io.softgate.evpn.bgp.community;

import java.util.HashMap;
import java.util.Map;

/**
 * Decoders of extended communities, registered by (type, sub-type).
 *
 * <p>Threading: immutable after construction, safe from any thread.
 */
public final class ExtendedCommunityCodecs {
    /** Builds a community from its type octet and six value octets. Threading: stateless. */
    @FunctionalInterface
    public interface Decoder {
        ExtendedCommunity decode(int type, long value);
    }

    private static final ExtendedCommunityCodecs STANDARD = new ExtendedCommunityCodecs();

    private final Map<Integer, Decoder> decoders = new HashMap<>();

    private ExtendedCommunityCodecs() {
        register(RouteTarget.TWO_OCTET_AS, RouteTarget.SUB_TYPE, RouteTarget::fromValue);
        register(RouteTarget.IPV4_ADDRESS, RouteTarget.SUB_TYPE, RouteTarget::fromValue);
        register(RouteTarget.FOUR_OCTET_AS, RouteTarget.SUB_TYPE, RouteTarget::fromValue);
        register(EncapsulationExtendedCommunity.TYPE, EncapsulationExtendedCommunity.SUB_TYPE,
                (type, value) -> EncapsulationExtendedCommunity.fromValue(value));
        register(DefaultGatewayExtendedCommunity.TYPE, DefaultGatewayExtendedCommunity.SUB_TYPE,
                (type, value) -> value == 0 ? DefaultGatewayExtendedCommunity.INSTANCE
                        : new UnknownExtendedCommunity(((long) type << 56) | (0x0dL << 48) | value));
        register(RoutersMacExtendedCommunity.TYPE, RoutersMacExtendedCommunity.SUB_TYPE,
                (type, value) -> new RoutersMacExtendedCommunity(value));
        register(MacMobilityExtendedCommunity.TYPE, MacMobilityExtendedCommunity.SUB_TYPE,
                (type, value) -> MacMobilityExtendedCommunity.fromValue(value));
    }

    public static ExtendedCommunityCodecs standard() {
        return STANDARD;
    }

    private void register(int type, int subType, Decoder decoder) {
        decoders.put((type << 8) | subType, decoder);
    }

    /** Decodes 8 octets given as a long in wire order. */
    public ExtendedCommunity decode(long raw) {
        int type = (int) (raw >>> 56) & 0xFF;
        int subType = (int) (raw >>> 48) & 0xFF;
        Decoder decoder = decoders.get((type << 8) | subType);
        return decoder == null ? new UnknownExtendedCommunity(raw) : decoder.decode(type, raw & 0xFFFF_FFFF_FFFFL);
    }
}
