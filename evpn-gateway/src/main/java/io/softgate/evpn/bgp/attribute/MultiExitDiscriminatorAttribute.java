package io.softgate.evpn.bgp.attribute;

/**
 * MULTI_EXIT_DISC, type 4, optional non-transitive (RFC 4271 §5.1.4).
 *
 * <p>Threading: immutable, safe to share.
 */
public record MultiExitDiscriminatorAttribute(long value) implements PathAttribute {
    public static final int TYPE = 4;
    public static final PathAttributeCodec<MultiExitDiscriminatorAttribute> CODEC = new FourOctetAttributeCodec<>(
            TYPE, MultiExitDiscriminatorAttribute.class, FLAG_OPTIONAL, false, MultiExitDiscriminatorAttribute::new,
            MultiExitDiscriminatorAttribute::value);

    @Override
    public int typeCode() {
        return TYPE;
    }
}
