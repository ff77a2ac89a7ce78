package io.softgate.evpn.bgp.capability;

import java.util.Arrays;

/**
 * A capability this speaker does not implement, kept only to be ignored (RFC 5492 §3).
 *
 * <p>Threading: immutable, safe to share.
 */
public record UnknownCapability(int code, byte[] value) implements Capability {
    public UnknownCapability {
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof UnknownCapability && ((UnknownCapability) other).code == code
                && Arrays.equals(((UnknownCapability) other).value, value);
    }

    @Override
    public int hashCode() {
        return code * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "UnknownCapability[code " + code + ", " + value.length + " octets]";
    }
}
