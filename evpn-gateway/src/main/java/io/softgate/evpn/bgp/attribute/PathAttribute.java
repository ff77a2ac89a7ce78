package io.softgate.evpn.bgp.attribute;

/**
 * One path attribute of an UPDATE (RFC 4271 §4.3, §5).
 *
 * <p>Threading: implementations are immutable, safe to share.
 */
public interface PathAttribute {
    int FLAG_OPTIONAL = 0x80;
    int FLAG_TRANSITIVE = 0x40;
    int FLAG_PARTIAL = 0x20;
    int FLAG_EXTENDED_LENGTH = 0x10;

    int typeCode();
}
