package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.softgate.core.counter.CounterRegistry;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.core.snapshot.WorkerEpochs;
import io.softgate.service.config.ConfigLoader;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.intent.IntentCompiler;
import io.softgate.service.intent.IntentPersistence;
import io.softgate.service.intent.IntentStore;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Route matching: what the API serves (as packaging/README.md lists it) and the 405's {@code Allow} header. */
class RouterTest {
    @TempDir
    Path stateDir;

    private Router routes() throws Exception {
        SoftgateConfig config = ConfigLoader.parse("test", ApiFixture.CONFIG.getBytes(StandardCharsets.UTF_8));
        SnapshotPublisher publisher = new SnapshotPublisher(new WorkerEpochs(1));
        IntentStore store = IntentStore.open(new IntentCompiler(ConfigSnapshot::builder, IntentCompiler.defaultAdapters(config)),
            new IntentPersistence(stateDir), publisher::publish, "site", "Admin");
        NodeView node = new NodeView(config, new CounterRegistry(), List.of(), publisher, () -> true);
        return ApiService.routes(store, node, new Authenticator(Map.of(), List.of(), 1_000_000_000L, System::nanoTime), false);
    }

    @Test
    void shouldServeTheIpamRoutesTheReadmeLists() throws Exception {
        Router router = routes();
        for (String route : List.of("GET /api/v2/ipam", "GET /api/v2/ipam/subnets", "POST /api/v2/ipam/allocation",
            "PUT /api/v2/ipam/allocation/3", "POST /api/v2/ipam/subnet", "PUT /api/v2/ipam/subnet/3",
            "DELETE /api/v2/ipam/allocation/3", "DELETE /api/v2/ipam/subnet/3")) {
            String[] parts = route.split(" ");
            assertNotNull(router.match(parts[0], parts[1]).route(), route);
        }
        // The README listed GET /api/v2/ipam/allocation[/{id}] and /subnet[/{id}]: there are none.
        assertEquals(List.of("POST"), router.match("GET", "/api/v2/ipam/allocation").allowedMethods());
        assertEquals(List.of("DELETE", "PUT"), router.match("GET", "/api/v2/ipam/subnet/3").allowedMethods());
    }

    @Test
    void shouldNameTheMethodsAPathHasOnA405AndNoneOnA404() {
        Router router = new Router();
        ApiHandler handler = request -> Envelope.ok(null);
        router.add("GET", "/things", true, "t", "list", null, List.of(), handler);
        router.add("POST", "/things", true, "t", "create", null, List.of(), handler);
        router.add("PUT", "/things/{id}", true, "t", "update", null, List.of(), handler);
        router.add("DELETE", "/things/special", true, "t", "delete the special one", null, List.of(), handler);
        Router.Match match = router.match("DELETE", "/things");
        assertEquals(405, match.failureStatus());
        assertEquals(List.of("GET", "POST"), match.allowedMethods());
        assertEquals(List.of("DELETE", "PUT"), router.match("GET", "/things/special").allowedMethods(),
            "a parameter template matches the literal path too");
        assertEquals(404, router.match("GET", "/nothing").failureStatus());
        assertEquals(List.of(), router.match("GET", "/nothing").allowedMethods());
    }

    @Test
    void shouldSendTheAllowHeaderWithA405() throws Exception {
        try (ApiFixture api = new ApiFixture(stateDir.resolve("state"))) {
            api.login(ApiFixture.USER, ApiFixture.PASSWORD);
            HttpResponse<String> response = api.send("GET", "/api/v2/ipam/allocation/3", null);
            assertEquals(405, response.statusCode(), response.body());
            assertEquals("DELETE, PUT", response.headers().firstValue("Allow").orElse("(none)"));
            assertEquals(405, Envelope.MAPPER.readTree(response.body()).get("meta").get("statusCode").asInt());
        }
    }
}
