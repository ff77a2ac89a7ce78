package io.softgate.service.api;

import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.service.intent.IntentCompiler;
import io.softgate.service.intent.IntentModuleAdapter;
import io.softgate.service.intent.IntentPersistence;
import io.softgate.service.intent.IntentRejectedException;
import io.softgate.service.intent.IntentStore;
import io.softgate.service.intent.IntentWarmUp;
import io.softgate.service.trace.TraceService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's API as one unit: loads the persisted intent (compiling and publishing it),
 * rehearses the apply path with a throwaway intent ({@code api.warmUp}, {@link IntentWarmUp}),
 * registers every resource, and serves them until closed.
 *
 * <p>Threading: {@link #start} and {@link #close} by the control thread.
 */
public final class ApiService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiService.class);
    /**
     * Bounds of the start-up warm-up besides its CPU budget ({@link ApiSettings#warmUpCpuBudgetNs}):
     * at most this many rounds (a whole apply of the synthetic intent and one-rule changes each),
     * and no step started once this much wall time passed (a loaded machine gets a shorter warm-up).
     */
    static final int WARM_UP_ROUNDS = 20;
    static final long WARM_UP_BUDGET_NS = 10_000_000_000L;

    private final IntentStore store;
    private final Router router;
    private final ApiServer server;
    private final InetSocketAddress address;
    private final IntentWarmUp.Result warmUp;

    private ApiService(IntentStore store, Router router, ApiServer server, InetSocketAddress address,
                       IntentWarmUp.Result warmUp) {
        this.store = store;
        this.router = router;
        this.server = server;
        this.address = address;
        this.warmUp = warmUp;
    }

    /**
     * Loads the applied intent persisted in {@code intentDirectory} (a first start writes the
     * initial document), compiles it and publishes it through {@code sink}: the API's own loader,
     * which the service runs before its first publish so restored sessions see the API's tables.
     */
    public static IntentStore openIntent(java.nio.file.Path intentDirectory, String siteName, String adminTenantName,
                                         Supplier<ConfigSnapshot.Builder> base, IntentStore.SnapshotSink sink,
                                         List<IntentModuleAdapter> adapters) throws IOException, IntentRejectedException {
        return IntentStore.open(new IntentCompiler(base, adapters), new IntentPersistence(intentDirectory), sink, siteName,
            adminTenantName);
    }

    /**
     * Serves the API over {@code store}, already opened and published ({@link #openIntent}): the
     * API adopts its document and generation as they are, publishing nothing at start. With
     * a {@code settings.warmUpCpuBudgetNs()} it first runs the {@link IntentWarmUp} (seconds) and
     * logs one line; a failure there is logged and the API starts anyway.
     */
    public static ApiService start(ApiSettings settings, NodeView node, IntentStore store) throws InterruptedException {
        // Before the API listens: a controller's first write then finds the apply path compiled
        // by the JIT (the data plane already forwards, so a restart's outage does not grow).
        IntentWarmUp.Result warmUp = settings.warmUpCpuBudgetNs() > 0 ? warmUp(node, settings) : null;
        Authenticator authenticator = new Authenticator(settings.users(), settings.tokens(),
            settings.sessionTtlSeconds() * 1_000_000_000L, System::nanoTime);
        Router router = routes(store, node, authenticator, settings.tls() != null);
        ApiServer server = new ApiServer(router, authenticator, settings.tls(), settings.maxRequestBytes());
        InetSocketAddress address = server.start(settings.listenAddress(), settings.port());
        LOG.info("API listening on {}://{}:{} ({} user(s), {} token(s)), intent generation {} from {}",
            settings.tls() != null ? "https" : "http", address.getAddress().getHostAddress(), address.getPort(),
            settings.users().size(), settings.tokens().size(), store.current().generation(), settings.stateDir());
        for (IntentModuleAdapter adapter : store.compiler().adapters()) {
            if (!adapter.wired()) {
                LOG.warn("API: {} intent is stored and validated, but no {} compiler is attached in this process",
                    adapter.module(), adapter.module());
            }
        }
        return new ApiService(store, router, server, address, warmUp);
    }

    /** Rehearses the apply path ({@link IntentWarmUp}) and logs one line; never throws. */
    static IntentWarmUp.Result warmUp(NodeView node, ApiSettings settings) {
        IntentWarmUp.Result result = IntentWarmUp.run(node.config(), settings.siteName(), settings.adminTenantName(),
            NodeResources::bindDocument, WARM_UP_ROUNDS, WARM_UP_BUDGET_NS, settings.warmUpCpuBudgetNs());
        if (result.failure() == null) {
            LOG.info("API warm-up: {} rehearsed applies ({} rounds of {} NAT rules and {} LB services, then one-rule"
                    + " changes) in {} ms ({} ms CPU); nothing published", result.applies(), result.rounds(), result.natRules(),
                result.lbServices(), result.wallNs() / 1_000_000, result.cpuNs() / 1_000_000);
        } else {
            LOG.warn("API warm-up stopped after {} rehearsed applies in {} ms ({}); nothing published, the API starts"
                + " anyway and its first changes run colder", result.applies(), result.wallNs() / 1_000_000, result.failure());
        }
        return result;
    }

    /** Every route of the API, the OpenAPI document included. */
    static Router routes(IntentStore store, NodeView node, Authenticator authenticator, boolean tls) {
        Router router = new Router();
        new AuthResources(authenticator, tls).register(router);
        new NetrisCatalogResources(store).register(router);
        new NetrisNetworkResources(store, node.config()).register(router);
        new NetrisServiceResources(store, node.config()).register(router);
        new NodeResources(store, node).register(router);
        new TraceResources(store, new TraceService(node.workers(), node.publisher())).register(router);
        String version = ApiService.class.getPackage().getImplementationVersion();
        router.add("GET", "/openapi.json", true, "softgate", "This OpenAPI document", null, List.of(),
            request -> openApi(router, version));
        return router;
    }

    /** The document itself (not wrapped in the envelope), so OpenAPI tools read it directly. */
    private static ApiResponse openApi(Router router, String version) {
        try {
            return new ApiResponse(200, ApiResponse.JSON, Envelope.MAPPER.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(OpenApiDocument.build(router.routes(), version == null ? "development" : version)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public InetSocketAddress address() {
        return address;
    }

    /** What the start-up warm-up did, or null when {@code api.warmUp} is off. */
    public IntentWarmUp.Result warmUpResult() {
        return warmUp;
    }

    public IntentStore store() {
        return store;
    }

    public Router router() {
        return router;
    }

    @Override
    public void close() {
        server.close();
    }
}
