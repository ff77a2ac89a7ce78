package io.softgate.evpn.bgp.message;

import io.softgate.evpn.bgp.capability.Capability;
import io.softgate.evpn.bgp.capability.FourOctetAsCapability;
import io.softgate.evpn.bgp.capability.GracefulRestartCapability;
import io.softgate.evpn.bgp.capability.MultiprotocolCapability;
import io.softgate.evpn.bgp.nlri.AddressFamily;
import java.util.ArrayList;
import java.util.List;

/**
 * OPEN (RFC 4271 §4.2): Version(1) My Autonomous System(2) Hold Time(2) BGP Identifier(4)
 * Optional Parameters, of which only Capabilities (type 2, RFC 5492) are used.
 *
 * <p>Threading: immutable, safe to share.
 */
public record OpenMessage(int version, int myAutonomousSystem, int holdTimeSeconds, long bgpIdentifier,
                          List<Capability> capabilities) implements BgpMessage {
    /** AS_TRANS (RFC 6793 §9): the 2-octet stand-in for a 4-octet AS. */
    public static final int AS_TRANS = 23456;

    public OpenMessage {
        capabilities = List.copyOf(capabilities);
    }

    @Override
    public int type() {
        return TYPE_OPEN;
    }

    /** The sender's AS: from the 4-octet AS capability when present (RFC 6793 §4.1). */
    public long autonomousSystem() {
        FourOctetAsCapability fourOctet = find(FourOctetAsCapability.class);
        return fourOctet != null ? fourOctet.asNumber() : myAutonomousSystem;
    }

    public <C extends Capability> C find(Class<C> type) {
        for (Capability capability : capabilities) {
            if (type.isInstance(capability)) {
                return type.cast(capability);
            }
        }
        return null;
    }

    public boolean has(Class<? extends Capability> type) {
        return find(type) != null;
    }

    public List<AddressFamily> multiprotocolFamilies() {
        List<AddressFamily> families = new ArrayList<>();
        for (Capability capability : capabilities) {
            if (capability instanceof MultiprotocolCapability) {
                families.add(((MultiprotocolCapability) capability).addressFamily());
            }
        }
        return families;
    }

    public GracefulRestartCapability gracefulRestart() {
        return find(GracefulRestartCapability.class);
    }
}
