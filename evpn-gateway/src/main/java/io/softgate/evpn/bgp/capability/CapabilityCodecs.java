package io.softgate.evpn.bgp.capability;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.nlri.AddressFamily;
import java.util.ArrayList;
import java.util.List;

/**
 * Decoding and encoding of capabilities by code. Decoding returns null for a capability whose
 * value is malformed; unknown codes become {@link UnknownCapability} and are ignored.
 *
 * <p>Threading: stateless, safe from any thread.
 */
public final class CapabilityCodecs {
    private CapabilityCodecs() {
    }

    /** Decodes one capability value of {@code length} octets at the reader index, or null when malformed. */
    public static Capability decode(int code, ByteBuf in, int length) {
        switch (code) {
            case MultiprotocolCapability.CODE: {
                if (length != 4) {
                    return null;
                }
                int afi = in.readUnsignedShort();
                in.skipBytes(1);
                return new MultiprotocolCapability(new AddressFamily(afi, in.readUnsignedByte()));
            }
            case RouteRefreshCapability.CODE:
                in.skipBytes(length);
                return RouteRefreshCapability.INSTANCE;
            case ExtendedMessageCapability.CODE:
                in.skipBytes(length);
                return ExtendedMessageCapability.INSTANCE;
            case FourOctetAsCapability.CODE:
                if (length != 4) {
                    return null;
                }
                return new FourOctetAsCapability(in.readUnsignedInt());
            case GracefulRestartCapability.CODE: {
                if (length < 2 || (length - 2) % 4 != 0) {
                    return null;
                }
                int header = in.readUnsignedShort();
                List<GracefulRestartCapability.Family> families = new ArrayList<>();
                for (int i = 0; i < (length - 2) / 4; i++) {
                    AddressFamily family = new AddressFamily(in.readUnsignedShort(), in.readUnsignedByte());
                    families.add(new GracefulRestartCapability.Family(family, (in.readUnsignedByte() & 0x80) != 0));
                }
                return new GracefulRestartCapability((header & 0x8000) != 0, (header & 0x4000) != 0, header & 0x0FFF,
                        families);
            }
            default: {
                byte[] value = new byte[length];
                in.readBytes(value);
                return new UnknownCapability(code, value);
            }
        }
    }

    /** Writes Capability Code, Length and Value. */
    public static void encode(Capability capability, ByteBuf out) {
        out.writeByte(capability.code());
        int lengthIndex = out.writerIndex();
        out.writeByte(0);
        if (capability instanceof MultiprotocolCapability) {
            AddressFamily family = ((MultiprotocolCapability) capability).addressFamily();
            out.writeShort(family.afi());
            out.writeByte(0);
            out.writeByte(family.safi());
        } else if (capability instanceof FourOctetAsCapability) {
            out.writeInt((int) ((FourOctetAsCapability) capability).asNumber());
        } else if (capability instanceof GracefulRestartCapability) {
            GracefulRestartCapability restart = (GracefulRestartCapability) capability;
            out.writeShort((restart.restartState() ? 0x8000 : 0) | (restart.notificationSupport() ? 0x4000 : 0)
                    | (restart.restartTimeSeconds() & 0x0FFF));
            for (GracefulRestartCapability.Family family : restart.families()) {
                out.writeShort(family.addressFamily().afi());
                out.writeByte(family.addressFamily().safi());
                out.writeByte(family.forwardingStatePreserved() ? 0x80 : 0);
            }
        } else if (capability instanceof UnknownCapability) {
            out.writeBytes(((UnknownCapability) capability).value());
        }
        out.setByte(lengthIndex, out.writerIndex() - lengthIndex - 1);
    }
}
