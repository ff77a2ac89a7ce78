package io.softgate.lb.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.lb.model.Backend;
import io.softgate.lb.model.BackendAdminState;
import io.softgate.lb.model.BackendKey;
import io.softgate.lb.model.HealthCheck;
import io.softgate.lb.model.HealthCheckType;
import io.softgate.lb.model.LbProtocol;
import io.softgate.lb.model.LoadBalancerConfig;
import io.softgate.lb.model.LoadBalancerService;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadBalancerCompilerTest {
    private final LoadBalancerCompiler compiler = new LoadBalancerCompiler(new TestVrfs());

    private static LoadBalancerService web(List<Backend> backends) {
        return LoadBalancerService.of("web", LbProtocol.TCP, "203.0.113.10", 80, backends, HealthCheck.NONE, "blue");
    }

    private static LoadBalancerConfig config(LoadBalancerService... services) {
        return LoadBalancerConfig.of(List.of(services)).withMaglevTableSize(251);
    }

    private static List<String> fields(LoadBalancerConfigException e) {
        return e.errors().stream().map(ValidationError::field).toList();
    }

    @Test
    void shouldFindTheServiceByVipProtocolAndPort() throws Exception {
        LoadBalancerTables tables = compiler.compile(config(web(List.of(Backend.of("10.1.0.5", 8080)))), BackendHealth.ALL_HEALTHY);
        int vip = Ipv4Flyweight.parse("203.0.113.10");
        assertEquals(0, tables.findService(vip, 6, 80));
        assertEquals(LoadBalancerTables.NO_SERVICE, tables.findService(vip, 17, 80));
        assertEquals(LoadBalancerTables.NO_SERVICE, tables.findService(vip, 6, 81));
        assertTrue(tables.isVipAddress(vip));
        assertFalse(tables.isVipAddress(vip + 1));
    }

    @Test
    void shouldResolveBackendsToTheVrfOfTheServicesVpc() throws Exception {
        LoadBalancerTables tables = compiler.compile(config(web(List.of(Backend.of("10.1.0.5", 8080)))), BackendHealth.ALL_HEALTHY);
        int id = compiler.backendId(new BackendKey("web", "10.1.0.5", 8080));
        assertEquals(TestVrfs.BLUE, tables.backendVrf(id));
        assertEquals(Ipv4Flyweight.parse("10.1.0.5"), tables.backendAddress(id));
        assertEquals(8080, tables.backendPort(id));
    }

    @Test
    void shouldKeepABackendsIdWhenTheConfigChanges() throws Exception {
        compiler.compile(config(web(List.of(Backend.of("10.1.0.5", 80), Backend.of("10.1.0.6", 80)))), BackendHealth.ALL_HEALTHY);
        int before = compiler.backendId(new BackendKey("web", "10.1.0.6", 80));
        compiler.compile(config(web(List.of(Backend.of("10.1.0.9", 80), Backend.of("10.1.0.6", 80)))), BackendHealth.ALL_HEALTHY);
        assertEquals(before, compiler.backendId(new BackendKey("web", "10.1.0.6", 80)));
    }

    @Test
    void shouldMarkAMaintenanceBackendDrainingAndGiveItNoSlots() throws Exception {
        LoadBalancerTables tables = compiler.compile(config(web(List.of(Backend.of("10.1.0.5", 80),
            new Backend("10.1.0.6", 80, 1, BackendAdminState.MAINTENANCE)))), BackendHealth.ALL_HEALTHY);
        int draining = compiler.backendId(new BackendKey("web", "10.1.0.6", 80));
        assertEquals(BackendState.DRAINING, tables.backendState(draining));
        for (long hash = 0; hash < 251; hash++) {
            assertNotEquals(draining, tables.selectBackend(0, hash));
        }
    }

    @Test
    void shouldMarkAnUnhealthyBackendDownAndGiveItNoSlots() throws Exception {
        LoadBalancerTables tables = compiler.compile(config(web(List.of(Backend.of("10.1.0.5", 80), Backend.of("10.1.0.6", 80)))),
            key -> !key.address().equals("10.1.0.6"));
        int down = compiler.backendId(new BackendKey("web", "10.1.0.6", 80));
        assertEquals(BackendState.DOWN, tables.backendState(down));
        for (long hash = 0; hash < 251; hash++) {
            assertNotEquals(down, tables.selectBackend(0, hash));
        }
    }

    @Test
    void shouldMarkARemovedBackendAbsent() throws Exception {
        compiler.compile(config(web(List.of(Backend.of("10.1.0.5", 80), Backend.of("10.1.0.6", 80)))), BackendHealth.ALL_HEALTHY);
        LoadBalancerTables tables = compiler.compile(config(web(List.of(Backend.of("10.1.0.5", 80)))), BackendHealth.ALL_HEALTHY);
        assertEquals(BackendState.ABSENT, tables.backendState(compiler.backendId(new BackendKey("web", "10.1.0.6", 80))));
    }

    @Test
    void shouldSelectNoBackendAndNotAdvertiseTheVipWhenTheBackendSetIsEmpty() throws Exception {
        LoadBalancerTables tables = compiler.compile(config(web(List.of())), BackendHealth.ALL_HEALTHY);
        assertEquals(-1, tables.selectBackend(0, 12345));
        assertTrue(tables.availableVips().isEmpty());
    }

    @Test
    void shouldAdvertiseTheVipWhileOneBackendTakesConnections() throws Exception {
        LoadBalancerTables tables = compiler.compile(config(web(List.of(Backend.of("10.1.0.5", 80)))), BackendHealth.ALL_HEALTHY);
        assertEquals(java.util.Set.of("203.0.113.10"), tables.availableVips());
    }

    @Test
    void shouldLeaveADisabledServiceOutOfTheTables() throws Exception {
        LoadBalancerService off = new LoadBalancerService("web", LbProtocol.TCP, "203.0.113.10", 80,
            List.of(Backend.of("10.1.0.5", 80)), HealthCheck.NONE, "blue", null, false);
        LoadBalancerTables tables = compiler.compile(config(off), BackendHealth.ALL_HEALTHY);
        assertEquals(0, tables.serviceCount());
        assertFalse(tables.isVipAddress(Ipv4Flyweight.parse("203.0.113.10")));
    }

    @Test
    void shouldNameTheFieldOfAnInvalidBackendPort() {
        LoadBalancerConfigException e = assertThrows(LoadBalancerConfigException.class,
            () -> compiler.compile(config(web(List.of(Backend.of("10.1.0.5", 0)))), BackendHealth.ALL_HEALTHY));
        assertEquals(List.of("services[0].backends[0].port"), fields(e));
    }

    @Test
    void shouldNameTheFieldOfAnUnknownVpc() {
        LoadBalancerService service = LoadBalancerService.of("web", LbProtocol.TCP, "203.0.113.10", 80, List.of(),
            HealthCheck.NONE, "nowhere");
        LoadBalancerConfigException e = assertThrows(LoadBalancerConfigException.class,
            () -> compiler.compile(config(service), BackendHealth.ALL_HEALTHY));
        assertEquals(List.of("services[0].vpc"), fields(e));
    }

    @Test
    void shouldNameTheFieldOfAVipThatIsNotAnAddress() {
        LoadBalancerService service = LoadBalancerService.of("web", LbProtocol.TCP, "203.0.113", 80, List.of(),
            HealthCheck.NONE, "blue");
        LoadBalancerConfigException e = assertThrows(LoadBalancerConfigException.class,
            () -> compiler.compile(config(service), BackendHealth.ALL_HEALTHY));
        assertEquals(List.of("services[0].ip"), fields(e));
    }

    @Test
    void shouldRejectTwoServicesOnTheSameVipProtocolAndPort() {
        LoadBalancerService other = LoadBalancerService.of("web2", LbProtocol.TCP, "203.0.113.10", 80, List.of(),
            HealthCheck.NONE, "green");
        LoadBalancerConfigException e = assertThrows(LoadBalancerConfigException.class,
            () -> compiler.compile(config(web(List.of()), other), BackendHealth.ALL_HEALTHY));
        assertEquals(List.of("services[1].port"), fields(e));
    }

    @Test
    void shouldRejectATableSizeThatIsNotPrime() {
        LoadBalancerConfigException e = assertThrows(LoadBalancerConfigException.class,
            () -> compiler.compile(config(web(List.of())).withMaglevTableSize(65_536), BackendHealth.ALL_HEALTHY));
        assertEquals(List.of("maglevTableSize"), fields(e));
    }

    @Test
    void shouldNameTheFieldsOfAnInvalidHealthCheck() {
        LoadBalancerService service = LoadBalancerService.of("web", LbProtocol.TCP, "203.0.113.10", 80, List.of(),
            new HealthCheck(HealthCheckType.HTTP, 0, 1000, "no-slash", 0, 1), "blue");
        LoadBalancerConfigException e = assertThrows(LoadBalancerConfigException.class,
            () -> compiler.compile(config(service), BackendHealth.ALL_HEALTHY));
        assertEquals(List.of("services[0].healthCheck.timeOut", "services[0].healthCheck.rise",
            "services[0].healthCheck.requestPath"), fields(e));
    }

    @Test
    void shouldRejectAnIpv6VipWithAClearMessage() {
        LoadBalancerService service = LoadBalancerService.of("web", LbProtocol.TCP, "2001:db8::1", 80, List.of(),
            HealthCheck.NONE, "blue");
        LoadBalancerConfigException e = assertThrows(LoadBalancerConfigException.class,
            () -> compiler.compile(config(service), BackendHealth.ALL_HEALTHY));
        assertTrue(e.errors().get(0).message().contains("IPv6"));
    }

    @Test
    void shouldLeaveBackendIdsUntouchedWhenADocumentIsRejected() throws Exception {
        assertThrows(LoadBalancerConfigException.class,
            () -> compiler.compile(config(web(List.of(Backend.of("10.1.0.5", 80), Backend.of("10.1.0.7", 0)))),
                BackendHealth.ALL_HEALTHY));
        assertEquals(-1, compiler.backendId(new BackendKey("web", "10.1.0.5", 80)));
    }

    @Test
    void shouldKeepAdvertisingTheVipWhileOnlyDrainingBackendsRemain() throws Exception {
        LoadBalancerTables tables = compiler.compile(config(web(List.of(
            new Backend("10.1.0.6", 80, 1, BackendAdminState.MAINTENANCE)))), BackendHealth.ALL_HEALTHY);
        assertEquals(java.util.Set.of("203.0.113.10"), tables.availableVips());
        assertEquals(-1, tables.selectBackend(0, 42));
    }

    @Test
    void shouldWithdrawTheVipWhenEveryBackendIsDown() throws Exception {
        LoadBalancerTables tables = compiler.compile(config(web(List.of(Backend.of("10.1.0.5", 80)))), key -> false);
        assertTrue(tables.availableVips().isEmpty());
    }

    private static LoadBalancerService service(String name, int port, List<Backend> backends) {
        return LoadBalancerService.of(name, LbProtocol.TCP, "203.0.113.10", port, backends, HealthCheck.NONE, "blue");
    }

    /** For every slot of {@code service}'s table: "address:port" of the chosen backend, or "-". */
    private static List<String> chosenBackends(LoadBalancerTables tables, int service) {
        List<String> chosen = new java.util.ArrayList<>();
        for (long slot = 0; slot < tables.maglevTableSize(service); slot++) {
            int id = tables.selectBackend(service, slot);
            chosen.add(id < 0 ? "-" : Ipv4Flyweight.format(tables.backendAddress(id)) + ":" + tables.backendPort(id));
        }
        return chosen;
    }

    /** The same choices straight from a fresh {@link io.softgate.lb.maglev.MaglevTableBuilder}. */
    private static List<String> expectedBackends(int tableSize, List<Backend> backends) {
        io.softgate.lb.maglev.MaglevTableBuilder builder = new io.softgate.lb.maglev.MaglevTableBuilder(tableSize);
        for (Backend backend : backends) {
            builder.add(backend.address() + ":" + backend.port(), backend.weight());
        }
        io.softgate.lb.maglev.MaglevTable table = builder.build();
        List<String> chosen = new java.util.ArrayList<>();
        for (int slot = 0; slot < tableSize; slot++) {
            int position = table.backendAt(slot);
            chosen.add(position < 0 ? "-" : table.backendIdentities().get(position));
        }
        return chosen;
    }

    @Test
    void shouldGiveTwoServicesWithTheSameBackendsTheSameTableUnderTheirOwnBackendIds() throws Exception {
        List<Backend> backends = List.of(Backend.of("10.1.0.5", 80), new Backend("10.1.0.6", 80, 3, BackendAdminState.ENABLED),
            Backend.of("10.1.0.7", 80));
        LoadBalancerTables tables = compiler.compile(config(service("web", 80, backends), service("web-alt", 8080, backends)),
            BackendHealth.ALL_HEALTHY);
        assertEquals(expectedBackends(251, backends), chosenBackends(tables, 0));
        assertEquals(expectedBackends(251, backends), chosenBackends(tables, 1));
        for (long slot = 0; slot < 251; slot++) {
            assertEquals(1, tables.backendService(tables.selectBackend(1, slot)), "slot " + slot + " names another service's backend");
        }
    }

    @Test
    void shouldReuseAnUnchangedServicesTableAndRebuildAChangedOne() throws Exception {
        List<Backend> web = List.of(Backend.of("10.1.0.5", 80), Backend.of("10.1.0.6", 80));
        List<Backend> api = List.of(Backend.of("10.1.0.8", 80), Backend.of("10.1.0.9", 80));
        LoadBalancerTables first = compiler.compile(config(service("web", 80, web), service("api", 81, api)), BackendHealth.ALL_HEALTHY);
        List<Backend> apiWeighted = List.of(Backend.of("10.1.0.8", 80), new Backend("10.1.0.9", 80, 4, BackendAdminState.ENABLED));
        LoadBalancerTables second = compiler.compile(config(service("web", 80, web), service("api", 81, apiWeighted)),
            BackendHealth.ALL_HEALTHY);
        assertTrue(first.serviceMaglev[0] == second.serviceMaglev[0], "the unchanged service's table was rebuilt");
        assertFalse(first.serviceMaglev[1] == second.serviceMaglev[1], "the changed service's table was reused");
        assertEquals(expectedBackends(251, apiWeighted), chosenBackends(second, 1));
    }

    @Test
    void shouldGiveEveryServiceOfManyWithTheirOwnBackendsTheTableOfItsSet() throws Exception {
        // Distinct sets are built on several threads; each table must still be its own set's.
        List<LoadBalancerService> services = new java.util.ArrayList<>();
        List<List<Backend>> sets = new java.util.ArrayList<>();
        for (int s = 0; s < 40; s++) {
            List<Backend> backends = List.of(Backend.of("10.1." + s + ".5", 80), new Backend("10.1." + s + ".6", 80, 1 + s % 3,
                BackendAdminState.ENABLED));
            sets.add(backends);
            services.add(service("svc" + s, 1000 + s, backends));
        }
        LoadBalancerTables tables = compiler.compile(config(services.toArray(LoadBalancerService[]::new)), BackendHealth.ALL_HEALTHY);
        for (int s = 0; s < 40; s++) {
            assertEquals(expectedBackends(251, sets.get(s)), chosenBackends(tables, s), "service " + s);
        }
    }

    @Test
    void shouldRebuildAServicesTableWhenABackendGoesDown() throws Exception {
        List<Backend> web = List.of(Backend.of("10.1.0.5", 80), Backend.of("10.1.0.6", 80));
        compiler.compile(config(service("web", 80, web)), BackendHealth.ALL_HEALTHY);
        LoadBalancerTables down = compiler.compile(config(service("web", 80, web)),
            key -> !key.address().equals("10.1.0.6"));
        assertEquals(expectedBackends(251, List.of(Backend.of("10.1.0.5", 80))), chosenBackends(down, 0));
    }

    @Test
    void shouldRejectMoreBackendsThanACompactTableCanName() {
        List<Backend> backends = new java.util.ArrayList<>();
        for (int i = 0; i <= io.softgate.lb.maglev.MaglevTable.MAX_COMPACT_BACKENDS; i++) {
            backends.add(Backend.of("10." + (i >> 16 & 0xFF) + "." + (i >> 8 & 0xFF) + "." + (i & 0xFF), 80));
        }
        LoadBalancerConfigException e = assertThrows(LoadBalancerConfigException.class,
            () -> compiler.compile(config(web(backends)), BackendHealth.ALL_HEALTHY));
        assertEquals(List.of("services[0].backends"), fields(e));
    }

    @Test
    void shouldRejectOneBackendWrittenTwoWaysNamingTheSecond() {
        LoadBalancerConfigException e = assertThrows(LoadBalancerConfigException.class, () -> compiler.compile(
            config(web(List.of(Backend.of("10.1.0.5", 80), Backend.of("010.1.0.5", 80)))), BackendHealth.ALL_HEALTHY));
        assertEquals(List.of("services[0].backends[1]"), fields(e));
        assertTrue(e.errors().get(0).message().contains("10.1.0.5:80"), e.errors().get(0).message());
    }

    @Test
    void shouldKeepAddressesInCanonicalDottedQuad() {
        assertEquals("10.1.0.5:80", Backend.of("010.001.000.005", 80).identity());
        assertEquals(new BackendKey("web", "10.1.0.5", 80), new BackendKey("web", "010.1.0.5", 80));
        LoadBalancerService service = new LoadBalancerService("web", LbProtocol.TCP, "203.0.113.010", 80, List.of(),
            HealthCheck.NONE, "blue", "198.051.100.001", true);
        assertEquals("203.0.113.10", service.vip());
        assertEquals("198.51.100.1", service.fullNatSourceAddress());
        assertEquals("10.1.0", Backend.of("10.1.0", 80).address(), "text that is no address is kept for the validator");
    }

    @Test
    void shouldReportAVipWrittenTwoWaysAsOneAvailableAddress() throws Exception {
        LoadBalancerService https = LoadBalancerService.of("https", LbProtocol.TCP, "203.0.113.010", 443,
            List.of(Backend.of("10.1.0.6", 443)), HealthCheck.NONE, "blue");
        LoadBalancerTables tables = compiler.compile(config(web(List.of(Backend.of("10.1.0.5", 80))), https),
            BackendHealth.ALL_HEALTHY);
        assertEquals(java.util.Set.of("203.0.113.10"), tables.availableVips());
    }

    @Test
    void shouldGiveNoBackendAnIdWhenACompileFailsUnexpectedly() {
        VrfResolver failing = new VrfResolver() {
            @Override
            public int publicVrf() {
                throw new IllegalStateException("public VRF lookup failed");
            }

            @Override
            public int vrfOfVpc(String vpc) {
                return new TestVrfs().vrfOfVpc(vpc);
            }
        };
        LoadBalancerCompiler fragile = new LoadBalancerCompiler(failing);
        assertThrows(IllegalStateException.class,
            () -> fragile.compile(config(web(List.of(Backend.of("10.1.0.5", 80)))), BackendHealth.ALL_HEALTHY));
        assertEquals(-1, fragile.backendId(new BackendKey("web", "10.1.0.5", 80)));
    }
}
