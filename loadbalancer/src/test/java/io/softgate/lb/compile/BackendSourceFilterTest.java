package io.softgate.lb.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.lb.model.Backend;
import io.softgate.lb.model.BackendAdminState;
import io.softgate.lb.model.HealthCheck;
import io.softgate.lb.model.LbProtocol;
import io.softgate.lb.model.LoadBalancerConfig;
import io.softgate.lb.model.LoadBalancerService;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The compiled backend-source filter: every backend endpoint ever compiled answers "may be", and
 * only about 1 in {@link BackendSourceFilter#BITS_PER_ENDPOINT} other endpoints does (the hash is
 * fixed, so each assertion below has one deterministic outcome).
 */
class BackendSourceFilterTest {
    private static final int TCP = 6;
    private static final int UDP = 17;

    private final LoadBalancerCompiler compiler = new LoadBalancerCompiler(new TestVrfs());

    private static LoadBalancerConfig config(LoadBalancerService... services) {
        return LoadBalancerConfig.of(List.of(services)).withMaglevTableSize(251);
    }

    private static LoadBalancerService web(String vpc, LbProtocol protocol, List<Backend> backends) {
        return LoadBalancerService.of("web", protocol, "203.0.113.10", 80, backends, HealthCheck.NONE, vpc);
    }

    private BackendSourceFilter compile(LoadBalancerConfig config, BackendHealth health) throws LoadBalancerConfigException {
        return compiler.compile(config, health).backendSources();
    }

    private static int ip(String address) {
        return Ipv4Flyweight.parse(address);
    }

    @Test
    void shouldHoldEveryBackendEndpointWithItsVrfPortAndProtocolButNotItsNeighbours() throws Exception {
        BackendSourceFilter filter = compile(config(web("blue", LbProtocol.TCP,
            List.of(Backend.of("10.1.0.5", 8080), Backend.of("10.1.0.6", 8081)))), BackendHealth.ALL_HEALTHY);
        assertEquals(2, filter.endpoints());
        assertTrue(filter.mayContain(TestVrfs.BLUE, ip("10.1.0.5"), 8080, TCP));
        assertTrue(filter.mayContain(TestVrfs.BLUE, ip("10.1.0.6"), 8081, TCP));
        assertFalse(filter.mayContain(TestVrfs.GREEN, ip("10.1.0.5"), 8080, TCP), "other VPC");
        assertFalse(filter.mayContain(TestVrfs.BLUE, ip("10.1.0.5"), 8081, TCP), "other port");
        assertFalse(filter.mayContain(TestVrfs.BLUE, ip("10.1.0.5"), 8080, UDP), "other protocol");
        assertFalse(filter.mayContain(TestVrfs.BLUE, ip("10.1.0.7"), 8080, TCP), "other address");
    }

    @Test
    void shouldKeepDrainingAndDownBackends() throws Exception {
        BackendSourceFilter filter = compile(config(web("blue", LbProtocol.TCP,
            List.of(new Backend("10.1.0.5", 8080, 1, BackendAdminState.MAINTENANCE), Backend.of("10.1.0.6", 8080)))),
            key -> !key.address().equals("10.1.0.6"));
        assertTrue(filter.mayContain(TestVrfs.BLUE, ip("10.1.0.5"), 8080, TCP), "draining");
        assertTrue(filter.mayContain(TestVrfs.BLUE, ip("10.1.0.6"), 8080, TCP), "down");
    }

    @Test
    void shouldKeepARemovedBackendsEndpointInLaterCompiles() throws Exception {
        compile(config(web("blue", LbProtocol.TCP, List.of(Backend.of("10.1.0.5", 8080)))), BackendHealth.ALL_HEALTHY);
        BackendSourceFilter filter = compile(config(web("blue", LbProtocol.TCP, List.of(Backend.of("10.1.0.9", 8080)))),
            BackendHealth.ALL_HEALTHY);
        assertTrue(filter.mayContain(TestVrfs.BLUE, ip("10.1.0.5"), 8080, TCP), "removed backend");
        assertTrue(filter.mayContain(TestVrfs.BLUE, ip("10.1.0.9"), 8080, TCP), "new backend");
        BackendSourceFilter empty = compile(config(), BackendHealth.ALL_HEALTHY);
        assertTrue(empty.mayContain(TestVrfs.BLUE, ip("10.1.0.5"), 8080, TCP), "after the service was deleted");
    }

    @Test
    void shouldKeepTheOldVrfAndProtocolWhenAServiceMovesToAnotherVpcOrProtocol() throws Exception {
        List<Backend> backends = List.of(Backend.of("10.1.0.5", 8080));
        compile(config(web("blue", LbProtocol.TCP, backends)), BackendHealth.ALL_HEALTHY);
        BackendSourceFilter filter = compile(config(web("green", LbProtocol.UDP, backends)), BackendHealth.ALL_HEALTHY);
        assertTrue(filter.mayContain(TestVrfs.BLUE, ip("10.1.0.5"), 8080, TCP));
        assertTrue(filter.mayContain(TestVrfs.GREEN, ip("10.1.0.5"), 8080, UDP));
        assertEquals(2, filter.endpoints());
    }

    @Test
    void shouldFindEveryOneOfManyEndpointsAndFewOfTheirNeighbours() throws Exception {
        List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            backends.add(Backend.of("10.1." + (i / 250) + "." + (i % 250 + 1), 8080));
        }
        BackendSourceFilter filter = compile(LoadBalancerConfig.of(List.of(web("blue", LbProtocol.TCP, backends))),
            BackendHealth.ALL_HEALTHY);
        assertEquals(3000, filter.endpoints());
        int neighboursPassed = 0;
        for (int i = 0; i < 3000; i++) {
            int address = ip("10.1." + (i / 250) + "." + (i % 250 + 1));
            assertTrue(filter.mayContain(TestVrfs.BLUE, address, 8080, TCP));
            neighboursPassed += filter.mayContain(TestVrfs.BLUE, address, 8079, TCP) ? 1 : 0;
            neighboursPassed += filter.mayContain(TestVrfs.GREEN, address, 8080, TCP) ? 1 : 0;
            neighboursPassed += filter.mayContain(TestVrfs.BLUE, address, 8080, UDP) ? 1 : 0;
        }
        // 9,000 probes at about 1/64 (at least 3,000 x 64 bits): ~140 expected; far fewer than all.
        assertTrue(neighboursPassed < 400, neighboursPassed + " of 9000 non-endpoints passed");
    }

    @Test
    void shouldHoldNothingBeforeAnyBackend() {
        assertEquals(0, BackendSourceFilter.EMPTY.endpoints());
        assertFalse(BackendSourceFilter.EMPTY.mayContain(TestVrfs.BLUE, ip("10.1.0.5"), 8080, TCP));
    }
}
