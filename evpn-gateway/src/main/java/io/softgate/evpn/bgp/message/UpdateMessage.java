package io.softgate.evpn.bgp.message;

import io.softgate.evpn.bgp.attribute.MpReachNlriAttribute;
import io.softgate.evpn.bgp.attribute.MpUnreachNlriAttribute;
import io.softgate.evpn.bgp.attribute.PathAttribute;
import io.softgate.evpn.bgp.nlri.AddressFamily;
import io.softgate.evpn.bgp.nlri.Ipv4Prefix;
import java.util.List;

/**
 * UPDATE (RFC 4271 §4.3): Withdrawn Routes, Path Attributes and (IPv4 unicast) NLRI. A decoded
 * UPDATE also says which RFC 7606 approach its errors called for: with
 * {@link UpdateErrorAction#TREAT_AS_WITHDRAW} every route it announces must be handled as
 * withdrawn; with {@link UpdateErrorAction#ATTRIBUTE_DISCARD} the bad attributes are already gone.
 *
 * <p>Threading: immutable, safe to share.
 */
public record UpdateMessage(List<Ipv4Prefix> withdrawnRoutes, List<PathAttribute> attributes, List<Ipv4Prefix> nlri,
                            UpdateErrorAction errorAction, String errorDetail, int totalPathAttributeLength)
        implements BgpMessage {
    /** {@link #totalPathAttributeLength()} of a message built locally rather than decoded. */
    public static final int LENGTH_NOT_DECODED = -1;

    public UpdateMessage {
        withdrawnRoutes = List.copyOf(withdrawnRoutes);
        attributes = List.copyOf(attributes);
        nlri = List.copyOf(nlri);
    }

    public UpdateMessage(List<Ipv4Prefix> withdrawnRoutes, List<PathAttribute> attributes, List<Ipv4Prefix> nlri,
                         UpdateErrorAction errorAction, String errorDetail) {
        this(withdrawnRoutes, attributes, nlri, errorAction, errorDetail, LENGTH_NOT_DECODED);
    }

    public UpdateMessage(List<Ipv4Prefix> withdrawnRoutes, List<PathAttribute> attributes, List<Ipv4Prefix> nlri) {
        this(withdrawnRoutes, attributes, nlri, UpdateErrorAction.NONE, "");
    }

    /** The End-of-RIB marker of a family (RFC 4724 §2). */
    public static UpdateMessage endOfRib(AddressFamily family) {
        if (family.equals(AddressFamily.IPV4_UNICAST)) {
            return new UpdateMessage(List.of(), List.of(), List.of());
        }
        return new UpdateMessage(List.of(), List.of(new MpUnreachNlriAttribute(family, List.of())), List.of());
    }

    @Override
    public int type() {
        return TYPE_UPDATE;
    }

    public <A extends PathAttribute> A attribute(Class<A> type) {
        for (PathAttribute attribute : attributes) {
            if (type.isInstance(attribute)) {
                return type.cast(attribute);
            }
        }
        return null;
    }

    public MpReachNlriAttribute mpReach() {
        return attribute(MpReachNlriAttribute.class);
    }

    public MpUnreachNlriAttribute mpUnreach() {
        return attribute(MpUnreachNlriAttribute.class);
    }

    /**
     * The family whose End-of-RIB this is, or null when it is not an End-of-RIB marker (RFC 4724
     * §2). A decoded message is judged by its Total Path Attribute Length, not by the attributes
     * left after RFC 7606 attribute discard: an UPDATE whose only attributes were discarded is
     * not an End-of-RIB.
     */
    public AddressFamily endOfRibFamily() {
        if (!withdrawnRoutes.isEmpty() || !nlri.isEmpty()) {
            return null;
        }
        boolean decoded = totalPathAttributeLength != LENGTH_NOT_DECODED;
        if (decoded ? totalPathAttributeLength == 0 : attributes.isEmpty()) {
            return AddressFamily.IPV4_UNICAST;
        }
        MpUnreachNlriAttribute unreach = mpUnreach();
        // Only the MP_UNREACH_NLRI with AFI and SAFI: 3 octets of value, 6 or 7 with its header.
        boolean onlyUnreachOnWire = !decoded || totalPathAttributeLength <= MP_UNREACH_END_OF_RIB_MAX_LENGTH;
        if (attributes.size() == 1 && unreach != null && unreach.withdrawnRoutes().isEmpty() && onlyUnreachOnWire) {
            return unreach.addressFamily();
        }
        return null;
    }

    private static final int MP_UNREACH_END_OF_RIB_MAX_LENGTH = 7;
}
