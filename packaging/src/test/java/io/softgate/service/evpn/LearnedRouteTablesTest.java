package io.softgate.service.evpn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.evpn.forwarding.model.IpPrefix;
import io.softgate.evpn.forwarding.model.NextHop;
import io.softgate.evpn.forwarding.model.RouteIntent;
import io.softgate.evpn.forwarding.model.RouteSource;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import io.softgate.service.config.ConfigLoader;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.pipeline.ServicePipeline;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Learned routes reach the compiled tables of the VRF their route targets chose, next to the static routes. */
class LearnedRouteTablesTest {
    private static final String CONFIG = """
        {"node": {"name": "sg1", "routerMac": "02:5f:00:00:00:01", "vtepAddress": "10.255.0.1"},
         "forwarding": {"vrfs": [
           {"name": "vpc-a", "l3vni": 5001, "routes": [
             {"prefix": "10.1.2.0/24", "nextHopVtep": "10.255.0.13", "nextHopRouterMac": "02:5f:00:00:0b:03"}]},
           {"name": "vpc-b", "l3vni": 5002}]}}""";

    private static ForwardingTables compile(List<RouteIntent> learned) throws Exception {
        SoftgateConfig config = ConfigLoader.parse("test.json", CONFIG.getBytes(StandardCharsets.UTF_8));
        return ServicePipeline.compileForwarding(config, learned);
    }

    private static RouteIntent learned(String vrf, String prefix, String vtep, String mac) {
        return new RouteIntent(vrf, IpPrefix.parse(prefix), NextHop.remoteVtep(vtep, mac), RouteSource.BGP);
    }

    private static int vtepFor(ForwardingTables tables, String vrf, String address) {
        int result = tables.ipv4Routes(tables.vrfIndex(vrf)).lookup(Ipv4Flyweight.parse(address));
        return tables.adjacencies().vtepAddress(tables.adjacencyOf(result, 0));
    }

    @Test
    void shouldRouteALearnedHostInItsOwnVrfOnly() throws Exception {
        ForwardingTables tables = compile(List.of(
            learned("vpc-a", "10.1.1.10/32", "10.255.0.11", "02:5f:00:00:0b:01"),
            learned("vpc-b", "10.1.1.10/32", "10.255.0.12", "02:5f:00:00:0b:02")));

        assertEquals(Ipv4Flyweight.parse("10.255.0.11"), vtepFor(tables, "vpc-a", "10.1.1.10"));
        assertEquals(Ipv4Flyweight.parse("10.255.0.12"), vtepFor(tables, "vpc-b", "10.1.1.10"));
    }

    @Test
    void shouldPreferTheStaticRouteOverALearnedOneForTheSamePrefix() throws Exception {
        ForwardingTables tables = compile(List.of(learned("vpc-a", "10.1.2.0/24", "10.255.0.12", "02:5f:00:00:0b:02")));

        assertEquals(Ipv4Flyweight.parse("10.255.0.13"), vtepFor(tables, "vpc-a", "10.1.2.10"));
    }
}
