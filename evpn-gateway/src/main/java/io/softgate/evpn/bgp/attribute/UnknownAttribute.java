package io.softgate.evpn.bgp.attribute;

import java.util.Arrays;

/**
 * An optional transitive attribute without a codec, kept as raw octets so that it can be
 * passed on with the Partial bit set (RFC 4271 §5).
 *
 * <p>Threading: immutable, safe to share.
 */
public record UnknownAttribute(int flags, int typeCode, byte[] value) implements PathAttribute {
    public UnknownAttribute {
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    byte[] valueNoCopy() {
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof UnknownAttribute && ((UnknownAttribute) other).typeCode == typeCode
                && ((UnknownAttribute) other).flags == flags && Arrays.equals(((UnknownAttribute) other).value, value);
    }

    @Override
    public int hashCode() {
        return (typeCode * 31 + flags) * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "UnknownAttribute[type " + typeCode + ", flags 0x" + Integer.toHexString(flags) + ", " + value.length + " octets]";
    }
}
