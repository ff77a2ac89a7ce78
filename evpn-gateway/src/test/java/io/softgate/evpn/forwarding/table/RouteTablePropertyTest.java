package io.softgate.evpn.forwarding.table;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.evpn.forwarding.model.Ipv4Prefix;
import io.softgate.evpn.forwarding.model.Ipv6Prefix;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both LPM structures against a brute-force reference (scan every prefix, keep the longest that
 * contains the address) on random prefixes with a fixed seed, probing addresses inside, at the
 * edges of and outside the prefixes.
 */
class RouteTablePropertyTest {

    @ParameterizedTest(name = "{0} IPv4 prefixes")
    @ValueSource(ints = {0, 1, 3, 4, 5, 10, 64, 65, 2000})
    void shouldMatchBruteForceIpv4Lookup(int prefixCount) {
        Random random = new Random(20261126L + prefixCount);
        Map<Ipv4Prefix, Integer> routes = new LinkedHashMap<>();
        while (routes.size() < prefixCount) {
            int length = random.nextInt(33);
            // Cluster addresses under a few /8s so prefixes nest and overlap.
            int address = (random.nextInt(4) + 10) << 24 | (random.nextInt() >>> 8);
            routes.putIfAbsent(new Ipv4Prefix(address & Ipv4Prefix.mask(length), length),
                RouteResult.FIRST_GROUP + routes.size());
        }
        List<Ipv4Prefix> prefixes = new ArrayList<>(routes.keySet());
        int[] results = routes.values().stream().mapToInt(Integer::intValue).toArray();
        Ipv4RouteTable table = Ipv4RouteTable.build(prefixes, results);

        for (int probe = 0; probe < 20_000; probe++) {
            int address;
            if (probe % 2 == 0 && !prefixes.isEmpty()) {
                Ipv4Prefix prefix = prefixes.get(random.nextInt(prefixes.size()));
                int hostBits = ~Ipv4Prefix.mask(prefix.length());
                int edge = probe % 6 == 0 ? 0 : probe % 6 == 2 ? hostBits : random.nextInt() & hostBits;
                address = prefix.address() | edge;
            } else {
                address = probe % 3 == 0 ? random.nextInt() : (random.nextInt(4) + 10) << 24 | (random.nextInt() >>> 8);
            }
            assertEquals(bruteForceIpv4(routes, address), table.lookup(address),
                "lookup of " + io.softgate.core.packet.Ipv4Flyweight.format(address));
        }
    }

    private static int bruteForceIpv4(Map<Ipv4Prefix, Integer> routes, int address) {
        int bestLength = -1;
        int best = RouteResult.NO_ROUTE;
        for (Map.Entry<Ipv4Prefix, Integer> route : routes.entrySet()) {
            if (route.getKey().contains(address) && route.getKey().length() > bestLength) {
                bestLength = route.getKey().length();
                best = route.getValue();
            }
        }
        return best;
    }

    @ParameterizedTest(name = "{0} IPv6 prefixes")
    @ValueSource(ints = {1, 10, 300, 3000})
    void shouldMatchBruteForceIpv6Lookup(int prefixCount) {
        Random random = new Random(6_2026_1126L + prefixCount);
        Map<Ipv6Prefix, Integer> routes = new LinkedHashMap<>();
        long[] bases = {0x2001_0db8_0000_0000L, 0x2001_0db8_0001_0000L, 0xfd00_0000_0000_0000L};
        while (routes.size() < prefixCount) {
            int length = random.nextInt(129);
            long high = bases[random.nextInt(bases.length)] | (random.nextLong() >>> 40);
            long low = random.nextInt(4) == 0 ? random.nextLong() : random.nextInt(16);
            routes.putIfAbsent(new Ipv6Prefix(high & Ipv6Prefix.maskHigh(length), low & Ipv6Prefix.maskLow(length),
                length), RouteResult.FIRST_GROUP + routes.size());
        }
        List<Ipv6Prefix> prefixes = new ArrayList<>(routes.keySet());
        int[] results = routes.values().stream().mapToInt(Integer::intValue).toArray();
        Ipv6RouteTable table = Ipv6RouteTable.build(prefixes, results);

        for (int probe = 0; probe < 20_000; probe++) {
            long high;
            long low;
            if (probe % 2 == 0) {
                Ipv6Prefix prefix = prefixes.get(random.nextInt(prefixes.size()));
                high = prefix.high() | (random.nextLong() & ~Ipv6Prefix.maskHigh(prefix.length()));
                low = prefix.low() | (random.nextLong() & ~Ipv6Prefix.maskLow(prefix.length()));
            } else {
                high = bases[random.nextInt(bases.length)] | (random.nextLong() >>> 40);
                low = random.nextInt(16);
            }
            assertEquals(bruteForceIpv6(routes, high, low), table.lookup(high, low),
                "lookup of " + new io.softgate.evpn.forwarding.model.Ipv6Address(high, low));
        }
    }

    private static int bruteForceIpv6(Map<Ipv6Prefix, Integer> routes, long high, long low) {
        int bestLength = -1;
        int best = RouteResult.NO_ROUTE;
        for (Map.Entry<Ipv6Prefix, Integer> route : routes.entrySet()) {
            if (route.getKey().contains(high, low) && route.getKey().length() > bestLength) {
                bestLength = route.getKey().length();
                best = route.getValue();
            }
        }
        return best;
    }
}
