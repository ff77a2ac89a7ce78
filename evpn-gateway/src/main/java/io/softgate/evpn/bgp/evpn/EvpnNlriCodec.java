package io.softgate.evpn.bgp.evpn;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.message.UpdateErrorCounters;
import io.softgate.evpn.bgp.nlri.AddressFamily;
import io.softgate.evpn.bgp.nlri.Nlri;
import io.softgate.evpn.bgp.nlri.NlriCodec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * L2VPN EVPN NLRI (RFC 7432 §7): a sequence of Route Type(1) Length(1) body, each body decoded
 * by the {@link EvpnRouteCodec} registered for its type code. Route types without a codec are
 * skipped by their length and counted (RFC 7606 §5.4).
 *
 * <p>Threading: immutable after construction, safe from any thread.
 */
public final class EvpnNlriCodec implements NlriCodec {
    private final Map<Integer, EvpnRouteCodec<?>> codecsByType = new HashMap<>();
    private final Map<Class<?>, EvpnRouteCodec<?>> codecsByClass = new HashMap<>();

    /** The codec with route types 1 to 5 registered. */
    public static EvpnNlriCodec standard() {
        return new EvpnNlriCodec(List.of(new EthernetAutoDiscoveryRouteCodec(), new MacIpAdvertisementRouteCodec(),
                new InclusiveMulticastEthernetTagRouteCodec(), new EthernetSegmentRouteCodec(), new IpPrefixRouteCodec()));
    }

    public EvpnNlriCodec(List<EvpnRouteCodec<?>> codecs) {
        for (EvpnRouteCodec<?> codec : codecs) {
            codecsByType.put(codec.routeType(), codec);
            codecsByClass.put(codec.routeClass(), codec);
        }
    }

    @Override
    public AddressFamily addressFamily() {
        return AddressFamily.L2VPN_EVPN;
    }

    @Override
    public boolean decode(ByteBuf in, int length, List<Nlri> out, UpdateErrorCounters counters) {
        int limit = in.readerIndex() + length;
        while (in.readerIndex() < limit) {
            if (limit - in.readerIndex() < 2) {
                return false;
            }
            int routeType = in.readUnsignedByte();
            int routeLength = in.readUnsignedByte();
            int bodyStart = in.readerIndex();
            if (bodyStart + routeLength > limit) {
                return false;
            }
            EvpnRouteCodec<?> codec = codecsByType.get(routeType);
            if (codec == null) {
                counters.unknownEvpnRouteTypeSkipped();
                in.skipBytes(routeLength);
                continue;
            }
            EvpnRoute route = codec.decode(in.slice(bodyStart, routeLength), routeLength);
            if (route == null) {
                return false;
            }
            in.readerIndex(bodyStart + routeLength);
            out.add(route);
        }
        return true;
    }

    @Override
    public int encodedLength(Nlri nlri) {
        return 2 + codecFor(nlri).bodyLength(cast(nlri));
    }

    @Override
    public void encode(Nlri nlri, ByteBuf out) {
        EvpnRouteCodec<EvpnRoute> codec = codecFor(nlri);
        EvpnRoute route = cast(nlri);
        out.writeByte(codec.routeType());
        out.writeByte(codec.bodyLength(route));
        codec.encode(route, out);
    }

    @SuppressWarnings("unchecked")
    private EvpnRouteCodec<EvpnRoute> codecFor(Nlri nlri) {
        EvpnRouteCodec<?> codec = codecsByClass.get(nlri.getClass());
        if (codec == null) {
            throw new IllegalArgumentException("no EVPN codec for " + nlri.getClass().getSimpleName());
        }
        return (EvpnRouteCodec<EvpnRoute>) codec;
    }

    private static EvpnRoute cast(Nlri nlri) {
        return (EvpnRoute) nlri;
    }
}
