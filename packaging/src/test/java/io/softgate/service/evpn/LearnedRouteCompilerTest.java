package io.softgate.service.evpn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.model.IpPrefix;
import io.softgate.evpn.forwarding.model.NextHop;
import io.softgate.evpn.forwarding.model.NodeIntent;
import io.softgate.evpn.forwarding.model.RouteIntent;
import io.softgate.evpn.forwarding.model.RouteSource;
import io.softgate.evpn.forwarding.model.VrfIntent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LearnedRouteCompilerTest {
    private static final ForwardingIntent STATIC = ForwardingIntent.of(
        NodeIntent.of("10.255.0.1", "02:5f:00:00:00:01", "02:5f:00:00:00:01", "02:5f:00:00:00:02"),
        List.of(VrfIntent.of("vpc-a", 5001, 1)),
        List.of(RouteIntent.of("vpc-a", "10.9.0.0/16", NextHop.remoteVtep("10.255.0.11", "02:5f:00:00:0b:01"))));

    private static RouteIntent learned(String prefix, String vtep, String mac) {
        return new RouteIntent("vpc-a", IpPrefix.parse(prefix), NextHop.remoteVtep(vtep, mac), RouteSource.BGP);
    }

    @Test
    void shouldCoalesceABurstOfChangesIntoOnePublish() throws Exception {
        LearnedRoutes routes = new LearnedRoutes();
        List<List<RouteIntent>> published = new CopyOnWriteArrayList<>();
        try (LearnedRouteCompiler compiler = new LearnedRouteCompiler(routes, () -> STATIC, published::add, 200)) {
            for (int i = 0; i < 100; i++) {
                routes.put(new LearnedRoutes.Key(5, i, 0, "vpc-a", IpPrefix.parse("10.2." + i + ".0/24")),
                    learned("10.2." + i + ".0/24", "10.255.0.12", "02:5f:00:00:0b:02"));
                compiler.requestCompile();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (published.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(300);
        }
        assertEquals(1, published.size());
        assertEquals(100, published.get(0).size());
    }

    @Test
    void shouldDropLearnedRouteWithSecondRouterMacForAKnownVtep() {
        List<RouteIntent> usable = LearnedRouteCompiler.usableRoutes(STATIC, List.of(
            learned("10.1.1.10/32", "10.255.0.11", "02:5f:00:00:0b:99"),
            learned("10.1.2.10/32", "10.255.0.12", "02:5f:00:00:0b:02")));

        assertEquals(List.of(learned("10.1.2.10/32", "10.255.0.12", "02:5f:00:00:0b:02")), usable);
    }

    @Test
    void shouldKeepAHostLearnedTwiceOnce() {
        RouteIntent host = learned("10.1.2.10/32", "10.255.0.12", "02:5f:00:00:0b:02");

        assertEquals(List.of(host), LearnedRouteCompiler.usableRoutes(STATIC, List.of(host, host)));
    }
}
