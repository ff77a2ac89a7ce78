package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.lb.compile.LoadBalancerTables;
import io.softgate.lb.model.LoadBalancerConfig;
import io.softgate.service.intent.IntentDocument;
import io.softgate.service.intent.IntentWarmUp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API's start-up warm-up ({@code api.warmUp}) runs in the service's start path and leaves no
 * trace: the published snapshot, the state directory, the counters, the LB controller and the
 * applied intent are what they were before it; and a warm-up that fails does not keep the API
 * from starting.
 */
class ApiWarmUpTest {
    /** A short warm-up (the service's is seconds): one round is enough to show it leaves no trace. */
    private static final long WARM_UP_CPU_NS = 200_000_000L;

    @TempDir
    Path state;

    /** What the service holds before the API starts. */
    private record Observed(ConfigSnapshot snapshot, int publishes, Map<String, String> files, Map<String, Long> counters,
                            LoadBalancerConfig lbConfig, LoadBalancerTables lbTables, IntentDocument intent) {
    }

    private static Observed observe(ApiFixture fixture) {
        return new Observed(fixture.runtime.publisher().current(), fixture.published.size(), files(fixture.stateDir),
            new TreeMap<>(fixture.runtime.counters().totals()), fixture.features.loadBalancer().config(),
            fixture.features.loadBalancer().current(), fixture.intent.current());
    }

    private static Map<String, String> files(Path directory) {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(directory)) {
            for (Path path : (Iterable<Path>) walk::iterator) {
                files.put(directory.relativize(path).toString(), Files.isRegularFile(path) ? Files.readString(path) : "(directory)");
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return files;
    }

    @Test
    void shouldPublishPersistAndCountNothingWhileWarmingUp() throws Exception {
        Observed[] before = new Observed[1];
        try (ApiFixture api = new ApiFixture(state, ApiFixture.CONFIG, () -> null, WARM_UP_CPU_NS,
            fixture -> before[0] = observe(fixture))) {
            IntentWarmUp.Result warmUp = api.api.warmUpResult();
            assertNotNull(warmUp, "api.warmUp on: the warm-up runs in the API's start");
            assertNull(warmUp.failure());
            assertTrue(warmUp.applies() > 0, "the warm-up rehearsed no apply: " + warmUp);
            Observed after = observe(api);
            assertSame(before[0].snapshot(), after.snapshot(), "the warm-up published a snapshot");
            assertEquals(before[0].publishes(), after.publishes());
            assertEquals(before[0].files(), after.files(), "the warm-up wrote into the state directory");
            assertEquals(before[0].counters(), after.counters());
            assertEquals(before[0].lbConfig(), after.lbConfig(), "the warm-up applied services to the running LB controller");
            assertSame(before[0].lbTables(), after.lbTables());
            assertSame(before[0].intent(), after.intent(), "the warm-up changed the applied intent");
            api.login(ApiFixture.USER, ApiFixture.PASSWORD);
            assertEquals(0, api.ok("GET", "/api/softgate/config", null).get("generation").asLong());
        }
    }

    @Test
    void shouldStartTheApiWhenTheWarmUpFails() throws Exception {
        // Without a public VRF the NAT compiler refuses the warm-up's rules: the rehearsal fails.
        String noPublicVrf = ApiFixture.CONFIG.replace(", \"publicVrf\": \"public\"", "");
        try (ApiFixture api = new ApiFixture(state, noPublicVrf, () -> null, WARM_UP_CPU_NS, fixture -> { })) {
            assertTrue(api.api.warmUpResult().failure().contains("publicVrf"), api.api.warmUpResult().toString());
            assertEquals(200, api.send("GET", "/healthz", null).statusCode());
            api.login(ApiFixture.USER, ApiFixture.PASSWORD);
            assertEquals(0, api.ok("GET", "/api/softgate/config", null).get("generation").asLong());
        }
    }

    @Test
    void shouldNotWarmUpWhenTurnedOff() throws Exception {
        try (ApiFixture api = new ApiFixture(state, ApiFixture.CONFIG, () -> null, 0, fixture -> { })) {
            assertNull(api.api.warmUpResult());
        }
    }
}
