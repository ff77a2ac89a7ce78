package io.softgate.evpn.bgp.nlri;

import io.softgate.evpn.bgp.evpn.EvpnNlriCodec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The NLRI codecs, registered by (AFI, SAFI).
 *
 * <p>Threading: immutable after construction, safe from any thread.
 */
public final class NlriCodecs {
    private final Map<AddressFamily, NlriCodec> codecs = new HashMap<>();

    public static NlriCodecs standard() {
        return new NlriCodecs(List.of(new Ipv4UnicastNlriCodec(), EvpnNlriCodec.standard()));
    }

    public NlriCodecs(List<NlriCodec> list) {
        for (NlriCodec codec : list) {
            codecs.put(codec.addressFamily(), codec);
        }
    }

    /** The codec for {@code family}, or null when the family is not supported. */
    public NlriCodec forFamily(AddressFamily family) {
        return codecs.get(family);
    }
}
