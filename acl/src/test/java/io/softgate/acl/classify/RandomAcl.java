package io.softgate.acl.classify;

import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclProtocol;
import io.softgate.acl.model.AclRule;
import io.softgate.acl.model.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random rule sets and packets that collide on purpose: addresses come from a few nearby bases
 * so prefixes nest and overlap, ports from a few boundaries so ranges overlap, priorities from a
 * small range so ties happen.
 *
 * <p>Threading: one instance per test thread.
 */
final class RandomAcl {
    private static final int[] V4_BASES = {0x0A00_0000, 0x0A01_0000, 0x0A01_0200, 0xC0A8_0100, 0xC0A8_0180, 0x6440_0000};
    private static final long[] V6_BASES = {0x2001_0DB8_0000_0000L, 0x2001_0DB8_0001_0000L, 0x2001_0DB8_0001_0001L,
        0xFD00_0000_0000_0000L};
    private static final int[] V4_LENGTHS = {0, 8, 12, 16, 20, 23, 24, 25, 28, 31, 32};
    private static final int[] V6_LENGTHS = {0, 16, 32, 47, 48, 56, 64, 65, 96, 120, 127, 128};
    private static final int[] PORTS = {0, 1, 21, 22, 53, 79, 80, 81, 443, 1023, 1024, 8080, 65534, 65535};
    private static final int[] ICMP_TYPES = {0, 3, 8, 11, 128, 129};
    private static final int[] PACKET_PROTOCOLS = {1, 6, 17, 58, 47, 6, 17};

    final SplittableRandom random;
    /** Out of 10: how many rules and packets are IPv6 (rules of protocol icmp/icmpv6 aside). */
    int ipv6Share = 3;

    RandomAcl(long seed) {
        this.random = new SplittableRandom(seed);
    }

    List<AclRule> rules(int count, String vpc) {
        List<AclRule> rules = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            rules.add(rule("r" + i, vpc));
        }
        return rules;
    }

    AclRule rule(String name, String vpc) {
        AclProtocol protocol = AclProtocol.values()[random.nextInt(AclProtocol.values().length)];
        int familyChoice = random.nextInt(10);
        int family = protocol == AclProtocol.ICMP ? IpPrefix.IPV4
            : protocol == AclProtocol.ICMPV6 ? IpPrefix.IPV6
            : familyChoice < 10 - ipv6Share ? IpPrefix.IPV4 : IpPrefix.IPV6;
        IpPrefix src = random.nextInt(8) == 0 ? null : prefix(family);
        IpPrefix dst = random.nextInt(8) == 0 ? null : prefix(family);
        AclRule.Builder builder = AclRule.builder(name, vpc)
            .priority(random.nextInt(20))
            .action(random.nextBoolean() ? AclAction.PERMIT : AclAction.DENY)
            .protocol(protocol).srcPrefix(src).dstPrefix(dst)
            .established(random.nextInt(4) == 0).reverse(random.nextInt(4) == 0);
        if (protocol.hasPorts()) {
            if (random.nextBoolean()) {
                int[] range = range();
                builder.dstPorts(range[0], range[1]);
            }
            if (random.nextInt(3) == 0) {
                int[] range = range();
                builder.srcPorts(range[0], range[1]);
            }
        }
        if (protocol.isIcmp() && random.nextBoolean()) {
            builder.icmpType(ICMP_TYPES[random.nextInt(ICMP_TYPES.length)]);
        }
        return builder.build();
    }

    private int[] range() {
        int a = PORTS[random.nextInt(PORTS.length)];
        int b = random.nextInt(3) == 0 ? a : PORTS[random.nextInt(PORTS.length)];
        return new int[] {Math.min(a, b), Math.max(a, b)};
    }

    IpPrefix prefix(int family) {
        if (family == IpPrefix.IPV4) {
            return IpPrefix.ipv4(v4Address(), V4_LENGTHS[random.nextInt(V4_LENGTHS.length)]);
        }
        long[] address = v6Address();
        return IpPrefix.ipv6(address[0], address[1], V6_LENGTHS[random.nextInt(V6_LENGTHS.length)]);
    }

    int v4Address() {
        int base = V4_BASES[random.nextInt(V4_BASES.length)];
        int spread = random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(512);
        return random.nextInt(4) == 0 ? base + spread : base | (spread & 0x1FF);
    }

    long[] v6Address() {
        long high = V6_BASES[random.nextInt(V6_BASES.length)] | (random.nextInt(3) == 0 ? random.nextInt(4) : 0);
        long low = random.nextInt(3) == 0 ? random.nextLong() : random.nextInt(512);
        return new long[] {high, low};
    }

    /** A random packet: {ipv6, srcHigh, srcLow, dstHigh, dstLow, protocol, srcPort, dstPort, icmpType, nonFirst}. */
    long[] packet() {
        boolean ipv6 = random.nextInt(10) >= 10 - ipv6Share;
        long[] packet = new long[10];
        packet[0] = ipv6 ? 1 : 0;
        if (ipv6) {
            long[] src = v6Address();
            long[] dst = v6Address();
            packet[1] = src[0];
            packet[2] = src[1];
            packet[3] = dst[0];
            packet[4] = dst[1];
        } else {
            packet[1] = (v4Address() & 0xFFFF_FFFFL) << 32;
            packet[3] = (v4Address() & 0xFFFF_FFFFL) << 32;
        }
        int protocol = PACKET_PROTOCOLS[random.nextInt(PACKET_PROTOCOLS.length)];
        packet[5] = protocol;
        boolean icmp = protocol == 1 || protocol == 58;
        boolean ports = protocol == 6 || protocol == 17;
        packet[6] = ports ? nearPort() : 0;
        packet[7] = ports ? nearPort() : 0;
        packet[8] = icmp ? (random.nextInt(5) == 0 ? random.nextInt(256) : ICMP_TYPES[random.nextInt(ICMP_TYPES.length)]) : -1;
        packet[9] = random.nextInt(10) == 0 ? 1 : 0;
        return packet;
    }

    private int nearPort() {
        int port = PORTS[random.nextInt(PORTS.length)] + random.nextInt(3) - 1;
        return Math.max(0, Math.min(65535, port));
    }
}
