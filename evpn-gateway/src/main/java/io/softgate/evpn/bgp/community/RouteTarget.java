package io.softgate.evpn.bgp.community;

/**
 * Route Target (RFC 4360 §4, RFC 5668 §2), sub-type 0x02 in all three forms: type 0x00
 * {@code AS2:n32}, type 0x01 {@code IPv4:n16}, type 0x02 {@code AS4:n16}. EVPN auto-derives
 * {@code ASN:VNI} in the two-octet-AS form (RFC 8365 §5.1.2.1).
 *
 * <p>Threading: immutable, safe to share.
 */
public record RouteTarget(int type, long globalAdministrator, long localAdministrator) implements ExtendedCommunity {
    public static final int SUB_TYPE = 0x02;
    public static final int TWO_OCTET_AS = 0x00;
    public static final int IPV4_ADDRESS = 0x01;
    public static final int FOUR_OCTET_AS = 0x02;

    public RouteTarget {
        if (type != TWO_OCTET_AS && type != IPV4_ADDRESS && type != FOUR_OCTET_AS) {
            throw new IllegalArgumentException("route target type " + type);
        }
    }

    public static RouteTarget ofTwoOctetAs(int asn, long assignedNumber) {
        return new RouteTarget(TWO_OCTET_AS, asn & 0xFFFF, assignedNumber & 0xFFFF_FFFFL);
    }

    public static RouteTarget ofIpv4Address(int address, int assignedNumber) {
        return new RouteTarget(IPV4_ADDRESS, address & 0xFFFF_FFFFL, assignedNumber & 0xFFFF);
    }

    public static RouteTarget ofFourOctetAs(long asn, int assignedNumber) {
        return new RouteTarget(FOUR_OCTET_AS, asn & 0xFFFF_FFFFL, assignedNumber & 0xFFFF);
    }

    /**
     * The default {@code ASN:VNI} target: two-octet-AS form when the ASN fits 16 bits,
     * otherwise the four-octet-AS form (the VNI then must fit 16 bits).
     */
    public static RouteTarget ofAsnAndVni(long asn, int vni) {
        return asn <= 0xFFFF ? ofTwoOctetAs((int) asn, vni) : ofFourOctetAs(asn, vni);
    }

    /** Parses {@code 65000:5001}, {@code 10.0.0.1:7} or {@code 4200000000:7}. */
    public static RouteTarget parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("route target: " + text);
        }
        String global = text.substring(0, colon);
        long local = Long.parseLong(text.substring(colon + 1));
        if (global.contains(".")) {
            return ofIpv4Address(io.softgate.evpn.bgp.nlri.InetAddresses.toInt(
                    io.softgate.evpn.bgp.nlri.InetAddresses.parse(global)), (int) local);
        }
        long asn = Long.parseLong(global);
        return asn <= 0xFFFF ? ofTwoOctetAs((int) asn, local) : ofFourOctetAs(asn, (int) local);
    }

    static RouteTarget fromValue(int type, long value) {
        if (type == TWO_OCTET_AS) {
            return new RouteTarget(type, value >>> 32, value & 0xFFFF_FFFFL);
        }
        return new RouteTarget(type, value >>> 16, value & 0xFFFF);
    }

    @Override
    public int subType() {
        return SUB_TYPE;
    }

    @Override
    public long value() {
        if (type == TWO_OCTET_AS) {
            return (globalAdministrator << 32) | localAdministrator;
        }
        return (globalAdministrator << 16) | localAdministrator;
    }

    @Override
    public String toString() {
        if (type == IPV4_ADDRESS) {
            long ip = globalAdministrator;
            return (ip >>> 24) + "." + ((ip >>> 16) & 0xFF) + "." + ((ip >>> 8) & 0xFF) + "." + (ip & 0xFF) + ":"
                    + localAdministrator;
        }
        return globalAdministrator + ":" + localAdministrator;
    }
}
