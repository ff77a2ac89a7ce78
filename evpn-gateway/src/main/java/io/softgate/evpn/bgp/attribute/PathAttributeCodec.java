package io.softgate.evpn.bgp.attribute;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.message.CodecContext;
import io.softgate.evpn.bgp.message.UpdateErrorAction;

/**
 * Encodes and decodes the value of one path attribute type.
 *
 * <p>Threading: implementations are stateless, safe from any thread.
 *
 * @param <T> the attribute's record
 */
public interface PathAttributeCodec<T extends PathAttribute> {
    int typeCode();

    Class<T> attributeClass();

    /** The Optional and Transitive bits the attribute's specification gives it. */
    int categoryFlags();

    /** What RFC 7606 prescribes when this attribute is malformed (including wrong flags, §3 c). */
    UpdateErrorAction malformedAction();

    /**
     * Whether the attribute is discarded when received from an external peer, before any check
     * of its flags or length (RFC 7606 §§7.5, 7.9, 7.10: LOCAL_PREF, ORIGINATOR_ID, CLUSTER_LIST).
     */
    default boolean discardedFromExternalPeer() {
        return false;
    }

    /** Decodes exactly {@code length} value octets starting at the reader index. */
    T decode(ByteBuf value, int length, CodecContext context) throws MalformedAttributeException;

    void encodeValue(T attribute, ByteBuf out, CodecContext context);
}
