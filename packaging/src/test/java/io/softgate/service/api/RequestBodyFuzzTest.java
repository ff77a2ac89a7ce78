package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.softgate.core.counter.CounterRegistry;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.core.snapshot.WorkerEpochs;
import io.softgate.service.config.ConfigLoader;
import io.softgate.service.intent.CompiledIntent;
import io.softgate.service.intent.IntentCompiler;
import io.softgate.service.intent.IntentDocument;
import io.softgate.service.intent.IntentPersistence;
import io.softgate.service.intent.IntentRejectedException;
import io.softgate.service.intent.IntentStore;
import io.softgate.service.intent.IntentValidator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Every request body of every route, fuzzed: an input is {@code METHOD PATH\nBODY} (the checked-in
 * inputs are readable requests; an input without a known route picks one by its bytes). For each,
 * the route's handler runs exactly as the server runs it, and: no 5xx ever; a refused change
 * leaves the document, the persisted file and the published snapshot as they were; an accepted
 * change is valid, persisted and published whole. Regression mode (plain {@code mvn test}) runs
 * the checked-in inputs; {@code JAZZER_FUZZ=1} fuzzes.
 */
class RequestBodyFuzzTest {
    private static final Path STATE_DIR = createStateDir();
    private static final IntentPersistence PERSISTENCE = new IntentPersistence(STATE_DIR);
    private static final SnapshotPublisher PUBLISHER = new SnapshotPublisher(new WorkerEpochs(1));

    private static Path createStateDir() {
        try {
            Path dir = Files.createTempDirectory("softgate-api-fuzz");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void shouldNeverAnswer5xxNorApplyAPartialChange(FuzzedDataProvider data) throws Exception {
        Files.deleteIfExists(PERSISTENCE.file());
        io.softgate.service.config.SoftgateConfig config = ConfigLoader.parse("fuzz", ApiFixture.CONFIG.getBytes(StandardCharsets.UTF_8));
        IntentStore store = IntentStore.open(new IntentCompiler(ConfigSnapshot::builder, IntentCompiler.defaultAdapters(config)),
            PERSISTENCE, PUBLISHER::publish, "site", "Admin");
        seed(store);
        Authenticator authenticator = new Authenticator(Map.of(), List.of(), 1_000_000_000L, System::nanoTime);
        NodeView node = new NodeView(config,
            new CounterRegistry(), List.of(), PUBLISHER, () -> true);
        Router router = ApiService.routes(store, node, authenticator, false);

        byte[] input = data.consumeRemainingAsBytes();
        int newline = indexOf(input, (byte) '\n');
        String requestLine = newline < 0 ? "" : new String(input, 0, newline, StandardCharsets.UTF_8);
        byte[] body = newline < 0 ? input : java.util.Arrays.copyOfRange(input, newline + 1, input.length);
        String[] parts = requestLine.split(" ", 2);
        Router.Match match = parts.length == 2 ? router.match(parts[0], parts[1]) : new Router.Match(null, Map.of(), 404);
        if (match.route() == null) {
            List<Route> routes = router.routes();
            Route route = routes.get(Math.floorMod(java.util.Arrays.hashCode(input), routes.size()));
            String path = route.template().replace("{id}", Integer.toString(Math.floorMod(input.length, 12))).replace("{type}", "subnet");
            match = router.match(route.method(), path);
            parts = new String[] {route.method(), path};
        }

        IntentDocument before = store.current();
        byte[] fileBefore = Files.readAllBytes(PERSISTENCE.file());
        long epochBefore = PUBLISHER.current().epoch();
        ApiRequest request = new ApiRequest(parts[0], parts[1], Map.of(), Map.of("content-type", "application/json"), "127.0.0.1",
            body, match.parameters());
        int status;
        try {
            status = match.route().handler().handle(request).status();
        } catch (IntentRejectedException e) {
            status = e.status();
        } catch (BadRequestException e) {
            status = 400;
        }
        assertTrue(status >= 200 && status < 500, "status " + status + " for " + requestLine);
        IntentDocument after = store.current();
        if (status != 200 || after == before) {
            assertSame(before, after, "a refused change leaves the document");
            assertArrayEquals(fileBefore, Files.readAllBytes(PERSISTENCE.file()), "a refused change leaves the file");
            assertEquals(epochBefore, PUBLISHER.current().epoch(), "a refused change publishes nothing");
            return;
        }
        assertEquals(before.generation() + 1, after.generation());
        assertEquals(List.of(), IntentValidator.validate(after));
        assertEquals(after, PERSISTENCE.load(), "the accepted document is what was persisted");
        assertEquals(after.generation(), PUBLISHER.current().get(CompiledIntent.SLOT).generation(), "and what was published");
    }

    /** A small zone so that deeper checks are reachable: public range, NAT and LB /32s, one VPC. */
    private static void seed(IntentStore store) throws IntentRejectedException {
        store.apply(null, draft -> {
            int system = draft.vpcs.get(0).id();
            int allocation = draft.newId();
            draft.allocations.add(new io.softgate.service.intent.AllocationIntent(allocation, "public", "203.0.113.0/24", system));
            draft.subnets.add(new io.softgate.service.intent.SubnetIntent(draft.newId(), "nat10", "203.0.113.10/32", "nat", system, allocation));
            draft.subnets.add(new io.softgate.service.intent.SubnetIntent(draft.newId(), "vip20", "203.0.113.20/32", "load-balancer", system, allocation));
            int vpc = draft.newId();
            draft.vpcs.add(new io.softgate.service.intent.VpcIntent(vpc, "vpc1", 1, false));
            draft.allocations.add(new io.softgate.service.intent.AllocationIntent(draft.newId(), "vpc1-cidr", "10.1.0.0/16", vpc));
            return null;
        });
    }

    private static int indexOf(byte[] bytes, byte wanted) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }
}
