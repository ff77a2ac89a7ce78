package io.softgate.evpn.bgp.rib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.softgate.evpn.bgp.attribute.AsPathAttribute;
import io.softgate.evpn.bgp.attribute.LocalPreferenceAttribute;
import io.softgate.evpn.bgp.attribute.OriginAttribute;
import io.softgate.evpn.bgp.attribute.OriginatorIdAttribute;
import io.softgate.evpn.bgp.attribute.PathAttribute;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.evpn.bgp.nlri.Ipv4Prefix;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The decision process and the Loc-RIB's best-path notifications. */
class BestPathSelectorTest {
    private static final Ipv4Prefix PREFIX = new Ipv4Prefix(0x0A000000, 8);
    private static final PeerIdentity PEER_1 = new PeerIdentity(InetAddresses.parse("10.0.0.1"), 1, 65000, false);
    private static final PeerIdentity PEER_2 = new PeerIdentity(InetAddresses.parse("10.0.0.2"), 2, 65000, false);

    private static Path path(PeerIdentity source, PathAttribute... extra) {
        List<PathAttribute> attributes = new ArrayList<>(List.of(OriginAttribute.ORIGIN_IGP, AsPathAttribute.EMPTY));
        attributes.addAll(List.of(extra));
        return new Path(PREFIX, attributes, InetAddresses.parse("192.0.2.1"), source, false);
    }

    @Test
    void shouldPreferHigherLocalPreference() {
        Path low = path(PEER_1, new LocalPreferenceAttribute(50));
        Path high = path(PEER_2, new LocalPreferenceAttribute(200));
        assertEquals(1, BestPathSelector.INSTANCE.compare(low, high));
    }

    @Test
    void shouldPreferShorterAsPath() {
        Path longer = new Path(PREFIX, List.of(OriginAttribute.ORIGIN_IGP, AsPathAttribute.sequence(1, 2)),
                InetAddresses.parse("192.0.2.1"), PEER_1, false);
        Path shorter = new Path(PREFIX, List.of(OriginAttribute.ORIGIN_IGP, AsPathAttribute.sequence(3)),
                InetAddresses.parse("192.0.2.1"), PEER_2, false);
        assertEquals(1, Integer.signum(BestPathSelector.INSTANCE.compare(longer, shorter)));
    }

    @Test
    void shouldBreakTiesOnOriginatorIdBeforePeerRouterId() {
        Path reflectedFromLowOriginator = path(PEER_2, new OriginatorIdAttribute(0));
        Path direct = path(PEER_1);
        assertEquals(-1, Integer.signum(BestPathSelector.INSTANCE.compare(reflectedFromLowOriginator, direct)));
    }

    @Test
    void shouldPreferFreshPathOverStaleOne() {
        Path stale = path(PEER_1).asStale();
        Path fresh = path(PEER_2);
        assertEquals(1, Integer.signum(BestPathSelector.INSTANCE.compare(stale, fresh)));
    }

    @Test
    void shouldNotifyBestPathChangesAndFinalWithdrawal() {
        LocRib rib = new LocRib();
        List<String> events = new ArrayList<>();
        rib.addListener((key, previous, current) -> events.add((previous == null ? "-" : previous.source().routerId())
                + ">" + (current == null ? "-" : current.source().routerId())));
        rib.put(path(PEER_2));
        rib.put(path(PEER_1));
        rib.remove(PREFIX, PEER_1);
        rib.remove(PREFIX, PEER_2);
        assertEquals(List.of("->2", "2>1", "1>2", "2>-"), events);
        assertNull(rib.best(PREFIX));
    }
}
