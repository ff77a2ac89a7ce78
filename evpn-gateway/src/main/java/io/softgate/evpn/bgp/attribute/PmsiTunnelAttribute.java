package io.softgate.evpn.bgp.attribute;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.message.CodecContext;
import io.softgate.evpn.bgp.message.UpdateErrorAction;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * PMSI_TUNNEL, type 22, optional transitive (RFC 6514 §5): Flags(1) Tunnel Type(1) MPLS
 * Label(3) Tunnel Identifier(variable). For EVPN over VXLAN the tunnel type is 6 (ingress
 * replication), the identifier the VTEP address and the label the raw L2VNI (RFC 8365 §5.1.3).
 *
 * <p>Threading: immutable, safe to share.
 */
public record PmsiTunnelAttribute(int flags, int tunnelType, int label, byte[] tunnelIdentifier) implements PathAttribute {
    public static final int TYPE = 22;
    public static final int TUNNEL_TYPE_INGRESS_REPLICATION = 6;
    public static final PathAttributeCodec<PmsiTunnelAttribute> CODEC = new Codec();

    public PmsiTunnelAttribute {
        tunnelIdentifier = tunnelIdentifier.clone();
    }

    public static PmsiTunnelAttribute ingressReplication(int vni, InetAddress vtep) {
        return new PmsiTunnelAttribute(0, TUNNEL_TYPE_INGRESS_REPLICATION, vni, vtep.getAddress());
    }

    @Override
    public byte[] tunnelIdentifier() {
        return tunnelIdentifier.clone();
    }

    /** The tunnel endpoint for ingress replication, or null for other tunnel types. */
    public InetAddress tunnelEndpoint() {
        if (tunnelType != TUNNEL_TYPE_INGRESS_REPLICATION || (tunnelIdentifier.length != 4 && tunnelIdentifier.length != 16)) {
            return null;
        }
        return InetAddresses.fromBytes(tunnelIdentifier);
    }

    @Override
    public int typeCode() {
        return TYPE;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PmsiTunnelAttribute && ((PmsiTunnelAttribute) other).flags == flags
                && ((PmsiTunnelAttribute) other).tunnelType == tunnelType && ((PmsiTunnelAttribute) other).label == label
                && Arrays.equals(((PmsiTunnelAttribute) other).tunnelIdentifier, tunnelIdentifier);
    }

    @Override
    public int hashCode() {
        return ((flags * 31 + tunnelType) * 31 + label) * 31 + Arrays.hashCode(tunnelIdentifier);
    }

    @Override
    public String toString() {
        InetAddress endpoint = tunnelEndpoint();
        return "PMSI_TUNNEL type " + tunnelType + " vni " + label
                + (endpoint == null ? "" : " endpoint " + endpoint.getHostAddress());
    }

    private static final class Codec extends AbstractPathAttributeCodec<PmsiTunnelAttribute> {
        Codec() {
            // RFC 6514 names no approach; RFC 7606 §2 makes treat-as-withdraw the default.
            super(TYPE, PmsiTunnelAttribute.class, FLAG_OPTIONAL | FLAG_TRANSITIVE, UpdateErrorAction.TREAT_AS_WITHDRAW);
        }

        @Override
        public PmsiTunnelAttribute decode(ByteBuf value, int length, CodecContext context)
                throws MalformedAttributeException {
            if (length < 5) {
                throw new MalformedAttributeException(malformedAction(), "PMSI_TUNNEL length " + length);
            }
            int flags = value.readUnsignedByte();
            int tunnelType = value.readUnsignedByte();
            int label = value.readUnsignedMedium();
            byte[] identifier = new byte[length - 5];
            value.readBytes(identifier);
            if (tunnelType == TUNNEL_TYPE_INGRESS_REPLICATION && identifier.length != 4 && identifier.length != 16) {
                throw new MalformedAttributeException(malformedAction(), "PMSI_TUNNEL endpoint of " + identifier.length);
            }
            return new PmsiTunnelAttribute(flags, tunnelType, label, identifier);
        }

        @Override
        public void encodeValue(PmsiTunnelAttribute attribute, ByteBuf out, CodecContext context) {
            out.writeByte(attribute.flags());
            out.writeByte(attribute.tunnelType());
            out.writeMedium(attribute.label());
            out.writeBytes(attribute.tunnelIdentifier);
        }
    }
}
