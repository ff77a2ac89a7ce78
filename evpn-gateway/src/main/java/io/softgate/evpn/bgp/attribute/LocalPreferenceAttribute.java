package io.softgate.evpn.bgp.attribute;

/**
 * LOCAL_PREF, type 5, well-known, internal peers only (RFC 4271 §5.1.5).
 *
 * <p>Threading: immutable, safe to share.
 */
public record LocalPreferenceAttribute(long value) implements PathAttribute {
    public static final int TYPE = 5;
    public static final long DEFAULT_VALUE = 100;
    public static final PathAttributeCodec<LocalPreferenceAttribute> CODEC = new FourOctetAttributeCodec<>(
            TYPE, LocalPreferenceAttribute.class, FLAG_TRANSITIVE, true, LocalPreferenceAttribute::new,
            LocalPreferenceAttribute::value);

    @Override
    public int typeCode() {
        return TYPE;
    }
}
