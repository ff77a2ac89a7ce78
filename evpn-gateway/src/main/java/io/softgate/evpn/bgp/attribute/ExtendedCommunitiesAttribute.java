package io.softgate.evpn.bgp.attribute;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.community.ExtendedCommunity;
import io.softgate.evpn.bgp.community.RouteTarget;
import io.softgate.evpn.bgp.community.RoutersMacExtendedCommunity;
import io.softgate.evpn.bgp.message.CodecContext;
import io.softgate.evpn.bgp.message.UpdateErrorAction;
import java.util.ArrayList;
import java.util.List;

/**
 * EXTENDED_COMMUNITIES, type 16, optional transitive (RFC 4360 §2): 8-octet communities,
 * each decoded by the codec registered for its (type, sub-type).
 *
 * <p>Threading: immutable, safe to share.
 */
public record ExtendedCommunitiesAttribute(List<ExtendedCommunity> communities) implements PathAttribute {
    public static final int TYPE = 16;
    public static final PathAttributeCodec<ExtendedCommunitiesAttribute> CODEC = new Codec();

    public ExtendedCommunitiesAttribute {
        communities = List.copyOf(communities);
    }

    @Override
    public int typeCode() {
        return TYPE;
    }

    public List<RouteTarget> routeTargets() {
        List<RouteTarget> targets = new ArrayList<>();
        for (ExtendedCommunity community : communities) {
            if (community instanceof RouteTarget) {
                targets.add((RouteTarget) community);
            }
        }
        return targets;
    }

    /** The Router's MAC, or -1 when absent. */
    public long routersMac() {
        for (ExtendedCommunity community : communities) {
            if (community instanceof RoutersMacExtendedCommunity) {
                return ((RoutersMacExtendedCommunity) community).macAddress();
            }
        }
        return -1;
    }

    public <C extends ExtendedCommunity> C find(Class<C> type) {
        for (ExtendedCommunity community : communities) {
            if (type.isInstance(community)) {
                return type.cast(community);
            }
        }
        return null;
    }

    private static final class Codec extends AbstractPathAttributeCodec<ExtendedCommunitiesAttribute> {
        Codec() {
            super(TYPE, ExtendedCommunitiesAttribute.class, FLAG_OPTIONAL | FLAG_TRANSITIVE, UpdateErrorAction.TREAT_AS_WITHDRAW);
        }

        @Override
        public ExtendedCommunitiesAttribute decode(ByteBuf value, int length, CodecContext context)
                throws MalformedAttributeException {
            // RFC 7606 §7.14: a length that is zero or not a multiple of 8 -> treat-as-withdraw.
            if (length == 0 || length % 8 != 0) {
                throw new MalformedAttributeException(malformedAction(), "EXTENDED_COMMUNITIES length " + length);
            }
            List<ExtendedCommunity> communities = new ArrayList<>(length / 8);
            for (int i = 0; i < length / 8; i++) {
                communities.add(context.extendedCommunityCodecs().decode(value.readLong()));
            }
            return new ExtendedCommunitiesAttribute(communities);
        }

        @Override
        public void encodeValue(ExtendedCommunitiesAttribute attribute, ByteBuf out, CodecContext context) {
            for (ExtendedCommunity community : attribute.communities()) {
                out.writeLong(community.toLong());
            }
        }
    }
}
