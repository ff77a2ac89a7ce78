package io.softgate.lb.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.lb.compile.BackendState;
import io.softgate.lb.compile.LoadBalancerConfigException;
import io.softgate.lb.compile.LoadBalancerTables;
import io.softgate.lb.compile.TestVrfs;
import io.softgate.lb.compile.ValidationError;
import io.softgate.lb.compile.VrfResolver;
import io.softgate.lb.health.ProbeTransport;
import io.softgate.lb.health.VipAvailabilityListener;
import io.softgate.lb.model.Backend;
import io.softgate.lb.model.BackendKey;
import io.softgate.lb.model.HealthCheck;
import io.softgate.lb.model.LbProtocol;
import io.softgate.lb.model.LoadBalancerConfig;
import io.softgate.lb.model.LoadBalancerService;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoadBalancerControllerTest {
    private final List<LoadBalancerTables> published = new CopyOnWriteArrayList<>();
    private final List<String> vipEvents = new CopyOnWriteArrayList<>();
    private final LoadBalancerController controller = new LoadBalancerController(new TestVrfs(), ProbeTransport.hostStack(),
        published::add, new VipAvailabilityListener() {
            @Override
            public void vipAvailable(String vipAddress) {
                vipEvents.add("announce " + vipAddress);
            }

            @Override
            public void vipUnavailable(String vipAddress) {
                vipEvents.add("withdraw " + vipAddress);
            }
        }, 1, 2);

    @AfterEach
    void close() {
        controller.close();
    }

    private static LoadBalancerConfig web(int port) {
        return LoadBalancerConfig.of(List.of(LoadBalancerService.of("web", LbProtocol.TCP, "203.0.113.10", 80,
            List.of(Backend.of("127.0.0.1", port)), HealthCheck.tcp(500, 1000, 1, 2), "blue"))).withMaglevTableSize(251);
    }

    @Test
    void shouldPublishTablesAndAnnounceTheVipWhenAConfigIsApplied() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            LoadBalancerTables tables = controller.apply(web(server.getLocalPort()));
            assertEquals(List.of(tables), published);
            assertEquals(List.of("announce 203.0.113.10"), vipEvents);
        }
    }

    @Test
    void shouldRepublishAndWithdrawTheVipWhenItsOnlyBackendFailsItsHealthCheck() throws Exception {
        // A bound, unconnected socket holds the port: connects are refused and nobody can listen there.
        java.net.Socket holder = new java.net.Socket();
        holder.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        try (holder) {
            withdrawAfterTwoFailures(holder.getLocalPort());
        }
    }

    private void withdrawAfterTwoFailures(int port) throws Exception {
        controller.apply(web(port));
        controller.healthChecker().probeAllOnce();
        assertEquals(1, published.size(), "one failure is fewer than fall = 2");
        controller.healthChecker().probeAllOnce();
        assertEquals(2, published.size());
        LoadBalancerTables latest = published.get(1);
        assertSame(latest, controller.current());
        assertEquals(BackendState.DOWN, latest.backendState(0));
        assertEquals(List.of("announce 203.0.113.10", "withdraw 203.0.113.10"), vipEvents);
    }

    @Test
    void shouldKeepTheAppliedConfigWhenANewOneIsRejected() throws Exception {
        controller.apply(web(8080));
        LoadBalancerConfig applied = controller.config();
        assertThrows(LoadBalancerConfigException.class, () -> controller.apply(web(0)));
        assertSame(applied, controller.config());
        assertEquals(1, published.size());
        assertTrue(controller.validate(web(0)).get(0).field().endsWith("backends[0].port"));
    }

    @Test
    void shouldAnnounceOnlyTheVipsAvailableNowToALateListener() throws Exception {
        java.net.Socket holder = new java.net.Socket();
        holder.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        try (holder; ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            LoadBalancerService up = LoadBalancerService.of("up", LbProtocol.TCP, "203.0.113.11", 80,
                List.of(Backend.of("127.0.0.1", server.getLocalPort())), HealthCheck.tcp(500, 1000, 1, 1), "blue");
            LoadBalancerService down = LoadBalancerService.of("down", LbProtocol.TCP, "203.0.113.12", 80,
                List.of(Backend.of("127.0.0.1", holder.getLocalPort())), HealthCheck.tcp(500, 1000, 1, 1), "blue");
            controller.apply(LoadBalancerConfig.of(List.of(up, down)).withMaglevTableSize(251));
            controller.healthChecker().probeAllOnce();
            List<String> late = new CopyOnWriteArrayList<>();

            controller.announceAvailableVips(new VipAvailabilityListener() {
                @Override
                public void vipAvailable(String vipAddress) {
                    late.add("announce " + vipAddress);
                }

                @Override
                public void vipUnavailable(String vipAddress) {
                    late.add("withdraw " + vipAddress);
                }
            });

            assertEquals(List.of("announce 203.0.113.11"), late);
        }
    }

    @Test
    void shouldEndItsMaglevBuildThreadsWhenClosed() throws Exception {
        List<LoadBalancerService> services = new java.util.ArrayList<>();
        for (int s = 0; s < 4; s++) {
            services.add(LoadBalancerService.of("web" + s, LbProtocol.TCP, "203.0.113." + (s + 1), 80,
                List.of(Backend.of("10.1." + s + ".5", 80)), HealthCheck.NONE, "blue"));
        }
        controller.apply(LoadBalancerConfig.of(services).withMaglevTableSize(251));
        List<Thread> builders = new java.util.ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith(LoadBalancerController.MAGLEV_BUILD_THREAD_NAME + "-")) {
                builders.add(thread);
            }
        }
        assertEquals(1, builders.size()); // a parallelism of 2: the applying thread and one of its own
        controller.close();
        assertTrue(builders.stream().noneMatch(Thread::isAlive));
    }

    @Test
    void shouldRejectABackendWrittenTwoWaysAndKeepProbingTheAppliedConfig() throws Exception {
        controller.apply(web(8080));
        LoadBalancerConfig applied = controller.config();
        LoadBalancerTables tables = controller.current();
        LoadBalancerConfig twice = LoadBalancerConfig.of(List.of(LoadBalancerService.of("web", LbProtocol.TCP,
            "203.0.113.10", 80, List.of(Backend.of("10.1.0.5", 80), Backend.of("010.1.0.5", 80)),
            HealthCheck.tcp(500, 1000, 1, 2), "blue"))).withMaglevTableSize(251);

        LoadBalancerConfigException e = assertThrows(LoadBalancerConfigException.class, () -> controller.apply(twice));

        assertEquals(List.of("services[0].backends[1]"), e.errors().stream().map(ValidationError::field).toList());
        assertSame(applied, controller.config());
        assertSame(tables, controller.current());
        assertEquals(1, published.size());
        assertNotNull(controller.healthChecker().status(new BackendKey("web", "127.0.0.1", 8080)));
        assertNull(controller.healthChecker().status(new BackendKey("web", "10.1.0.5", 80)));
    }

    @Test
    void shouldLeaveTheConfigTablesAndProbedBackendsInPlaceWhenCompilingFails() throws Exception {
        AtomicBoolean failCompiles = new AtomicBoolean();
        VrfResolver failing = new VrfResolver() {
            @Override
            public int publicVrf() {
                if (failCompiles.get()) {
                    throw new IllegalStateException("public VRF lookup failed");
                }
                return TestVrfs.PUBLIC;
            }

            @Override
            public int vrfOfVpc(String vpc) {
                return new TestVrfs().vrfOfVpc(vpc);
            }
        };
        List<LoadBalancerTables> tablesOut = new CopyOnWriteArrayList<>();
        try (LoadBalancerController fragile = new LoadBalancerController(failing, ProbeTransport.hostStack(), tablesOut::add,
            new VipAvailabilityListener() {
                @Override
                public void vipAvailable(String vipAddress) {
                }

                @Override
                public void vipUnavailable(String vipAddress) {
                }
            }, 1, 1)) {
            LoadBalancerTables tables = fragile.apply(web(8080));
            LoadBalancerConfig applied = fragile.config();
            failCompiles.set(true);

            assertThrows(IllegalStateException.class, () -> fragile.apply(web(8081)));

            assertSame(applied, fragile.config());
            assertSame(tables, fragile.current());
            assertEquals(List.of(tables), tablesOut);
            assertNotNull(fragile.healthChecker().status(new BackendKey("web", "127.0.0.1", 8080)));
            assertNull(fragile.healthChecker().status(new BackendKey("web", "127.0.0.1", 8081)));
            failCompiles.set(false);
            LoadBalancerTables next = fragile.apply(web(8081));
            assertEquals(List.of(tables, next), tablesOut);
            assertNotNull(fragile.healthChecker().status(new BackendKey("web", "127.0.0.1", 8081)));
        }
    }

    @Test
    void shouldKeepAVipAdvertisedWhileAnotherServiceOnItWrittenDifferentlyLosesItsBackends() throws Exception {
        java.net.Socket holder = new java.net.Socket();
        holder.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        try (holder) {
            LoadBalancerService http = LoadBalancerService.of("http", LbProtocol.TCP, "203.0.113.10", 80,
                List.of(Backend.of("10.1.0.5", 80)), HealthCheck.NONE, "blue");
            LoadBalancerService https = LoadBalancerService.of("https", LbProtocol.TCP, "203.0.113.010", 443,
                List.of(Backend.of("127.0.0.1", holder.getLocalPort())), HealthCheck.tcp(500, 1000, 1, 1), "blue");
            controller.apply(LoadBalancerConfig.of(List.of(http, https)).withMaglevTableSize(251));

            controller.healthChecker().probeAllOnce(); // https's only backend refuses: it goes down

            assertEquals(2, published.size());
            assertEquals(java.util.Set.of("203.0.113.10"), published.get(1).availableVips());
            assertEquals(List.of("announce 203.0.113.10"), vipEvents);
        }
    }
}
