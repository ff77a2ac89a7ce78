package io.softgate.evpn.bgp.attribute;

import java.util.List;

/**
 * COMMUNITIES, type 8, optional transitive (RFC 1997).
 *
 * <p>Threading: immutable, safe to share.
 */
public record CommunitiesAttribute(List<Long> communities) implements PathAttribute {
    public static final int TYPE = 8;
    public static final PathAttributeCodec<CommunitiesAttribute> CODEC = new ListOfNumbersAttributeCodec<>(
            TYPE, CommunitiesAttribute.class, FLAG_OPTIONAL | FLAG_TRANSITIVE, 4, false, CommunitiesAttribute::new,
            CommunitiesAttribute::communities);

    public CommunitiesAttribute {
        communities = List.copyOf(communities);
    }

    @Override
    public int typeCode() {
        return TYPE;
    }
}
