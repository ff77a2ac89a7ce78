package io.softgate.lb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.lb.compile.LoadBalancerCompiler;
import io.softgate.lb.compile.LoadBalancerTables;
import io.softgate.lb.compile.VrfResolver;
import io.softgate.lb.model.Backend;
import io.softgate.lb.model.HealthCheck;
import io.softgate.lb.model.LbProtocol;
import io.softgate.lb.model.LoadBalancerConfig;
import io.softgate.lb.model.LoadBalancerService;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VipAvailabilityTrackerTest {
    private final List<String> calls = new ArrayList<>();
    private final VipAvailabilityTracker tracker = new VipAvailabilityTracker(new VipAvailabilityListener() {
        @Override
        public void vipAvailable(String vipAddress) {
            calls.add("+" + vipAddress);
        }

        @Override
        public void vipUnavailable(String vipAddress) {
            calls.add("-" + vipAddress);
        }
    });
    private final LoadBalancerCompiler compiler = new LoadBalancerCompiler(new VrfResolver() {
        @Override
        public int publicVrf() {
            return 0;
        }

        @Override
        public int vrfOfVpc(String vpc) {
            return 1;
        }
    });

    private LoadBalancerTables tables(boolean backendHealthy) throws Exception {
        LoadBalancerConfig config = LoadBalancerConfig.of(List.of(LoadBalancerService.of("web", LbProtocol.TCP,
            "203.0.113.10", 80, List.of(Backend.of("10.1.0.5", 80)), HealthCheck.tcp(100, 100, 1, 1), "blue")))
            .withMaglevTableSize(251);
        return compiler.compile(config, key -> backendHealthy);
    }

    @Test
    void shouldAnnounceAVipWhenItsFirstBackendBecomesUsable() throws Exception {
        tracker.update(tables(true));
        assertEquals(List.of("+203.0.113.10"), calls);
    }

    @Test
    void shouldWithdrawAVipWhenItsLastBackendGoesDownAndAnnounceItWhenOneReturns() throws Exception {
        tracker.update(tables(true));
        tracker.update(tables(false));
        tracker.update(tables(true));
        assertEquals(List.of("+203.0.113.10", "-203.0.113.10", "+203.0.113.10"), calls);
    }

    @Test
    void shouldSayNothingWhenAvailabilityDoesNotChange() throws Exception {
        tracker.update(tables(true));
        tracker.update(tables(true));
        assertEquals(List.of("+203.0.113.10"), calls);
    }

    @Test
    void shouldReportEveryChangeOfOneCompileInOneCall() throws Exception {
        List<String> batches = new ArrayList<>();
        VipAvailabilityTracker batched = new VipAvailabilityTracker(new VipAvailabilityListener() {
            @Override
            public void vipAvailable(String vipAddress) {
                batches.add("single +" + vipAddress);
            }

            @Override
            public void vipUnavailable(String vipAddress) {
                batches.add("single -" + vipAddress);
            }

            @Override
            public void vipsChanged(List<String> available, List<String> unavailable) {
                batches.add("+" + available + " -" + unavailable);
            }
        });
        List<LoadBalancerService> services = new ArrayList<>();
        for (int i = 20; i >= 10; i--) {
            services.add(LoadBalancerService.of("web" + i, LbProtocol.TCP, "203.0.113." + i, 80,
                List.of(Backend.of("10.1.0.5", 80)), HealthCheck.NONE, "blue"));
        }
        batched.update(compiler.compile(LoadBalancerConfig.of(services).withMaglevTableSize(251), key -> true));
        batched.update(compiler.compile(LoadBalancerConfig.of(services.subList(0, 9)).withMaglevTableSize(251), key -> true));
        batched.update(compiler.compile(LoadBalancerConfig.of(services.subList(0, 9)).withMaglevTableSize(251), key -> true));
        List<String> all = new ArrayList<>();
        for (int i = 10; i <= 20; i++) {
            all.add("203.0.113." + i);
        }
        assertEquals(List.of("+" + all + " -[]", "+[] -[203.0.113.10, 203.0.113.11]"), batches,
            "one sorted call per compile that changed something, none when nothing changed");
    }
}
