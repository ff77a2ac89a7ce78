package io.softgate.evpn.bgp.attribute;

import io.softgate.evpn.bgp.message.UpdateErrorAction;

/**
 * The attribute-header facts every codec declares — type code, record class, the Optional and
 * Transitive category flags, and the RFC 7606 action for a malformed value — held in one place
 * so each codec only decodes and encodes its value.
 *
 * <p>Threading: immutable after construction; subclasses are stateless, safe from any thread.
 *
 * @param <T> the attribute's record
 */
abstract class AbstractPathAttributeCodec<T extends PathAttribute> implements PathAttributeCodec<T> {
    private final int typeCode;
    private final Class<T> attributeClass;
    private final int categoryFlags;
    private final UpdateErrorAction malformedAction;

    AbstractPathAttributeCodec(int typeCode, Class<T> attributeClass, int categoryFlags,
                               UpdateErrorAction malformedAction) {
        this.typeCode = typeCode;
        this.attributeClass = attributeClass;
        this.categoryFlags = categoryFlags;
        this.malformedAction = malformedAction;
    }

    @Override
    public final int typeCode() {
        return typeCode;
    }

    @Override
    public final Class<T> attributeClass() {
        return attributeClass;
    }

    @Override
    public final int categoryFlags() {
        return categoryFlags;
    }

    @Override
    public final UpdateErrorAction malformedAction() {
        return malformedAction;
    }
}
