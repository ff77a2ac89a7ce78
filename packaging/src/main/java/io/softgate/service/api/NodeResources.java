package io.softgate.service.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.softgate.evpn.bgp.session.BgpSpeaker;
import io.softgate.service.config.BgpNeighborConfig;
import io.softgate.service.config.NodeConfig;
import io.softgate.service.intent.IntentDocument;
import io.softgate.service.intent.IntentModuleAdapter;
import io.softgate.service.intent.IntentRejectedException;
import io.softgate.service.intent.IntentStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The softgate's own resources beside the Netris ones: node settings, state (generation, snapshot
 * epoch, what each feature module's adapter does), counters, sessions, BGP, LB health, the whole
 * intent document ({@code GET}/{@code PUT /api/softgate/config} with ETag / If-Match),
 * {@code /metrics}, {@code /healthz} and {@code /readyz}.
 *
 * <p>Threading: API executor thread only.
 */
final class NodeResources extends ResourceSupport {
    /** Strict document binding: the mapper {@link JsonBody#bind} uses, so both paths accept the same documents. */
    private static final com.fasterxml.jackson.databind.ObjectMapper DOCUMENT_READER = JsonBody.BINDER;
    private final NodeView node;
    private final BatchLatency latency;

    NodeResources(IntentStore store, NodeView node) {
        super(store);
        this.node = node;
        this.latency = new BatchLatency(node.workers());
    }

    void register(Router router) {
        router.add("GET", "/healthz", false, "softgate", "Liveness: 200 while the process serves requests (no credentials needed)", null, List.of(),
            r -> Envelope.ok("ok", null));
        router.add("GET", "/readyz", true, "softgate", "Readiness: 200 once the data plane runs and the intent is applied, else 503", null, List.of(), this::ready);
        router.add("GET", "/metrics", true, "softgate", "Prometheus text format: counters, batch latency, intent gauges", null, List.of(), this::metrics);
        router.add("GET", "/api/softgate/node", true, "softgate", "Node settings: name, router id, ASN, VTEP, router MAC, BGP neighbors, public VRF", null, List.of(), r -> ok(nodeSettings()));
        router.add("GET", "/api/softgate/state", true, "softgate", "State: generation, snapshot epoch, object counts, module wiring", null, List.of(), r -> ok(state()));
        router.add("GET", "/api/softgate/counters", true, "softgate", "Data-plane counters summed over workers", null, List.of(), r -> ok(counters()));
        router.add("GET", "/api/softgate/sessions", true, "softgate",
            "Live NAT sessions and LB connections from the running tables (filters: vpc name or id, address or prefix "
                + "matching inside/outside/remote; limit, default " + SessionFilter.DEFAULT_LIMIT + ", max " + SessionFilter.MAX_LIMIT
                + "); one lock-free pass over the tables on the API thread", null, List.of("vpc", "address", "limit"), this::sessions);
        router.add("GET", "/api/softgate/bgp", true, "softgate",
            "BGP speaker state: peers (FSM state, transitions, paths), VRFs with advertised type-5 prefixes, learned best "
                + "paths (limit, default " + SessionFilter.DEFAULT_LIMIT + "), counters; {bgp: disabled} without a speaker",
            null, List.of("limit"), this::bgp);
        router.add("POST", "/api/softgate/bgp/shutdown", true, "softgate",
            "Drain the node: Cease / Administrative Shutdown (an RFC 8538 Hard Reset where both set N) to every BGP "
                + "neighbour, so the leaves withdraw the node's routes at once; the neighbours stay down and the next "
                + "stop is a shutdown, not a graceful restart, until the service restarts; 409 without a speaker",
            null, List.of(), this::bgpShutdown);
        router.add("GET", "/api/softgate/lb-health", true, "softgate",
            "Load-balancer backend health as the health checker sees it (healthy, unhealthy, maintenance, disabled, assumed-up); "
                + "each service with active and inactiveReason, the controller's services of a VPC without a vNet listed too (inactive)",
            null, List.of(), r -> ok(LoadBalancerHealthView.of(node.state().loadBalancer(), IntentCompilerView.of(store.current()),
                node.config())));
        router.add("GET", "/api/softgate/intent", true, "softgate",
            "The resolved intent the compilers received (CompiledIntent); each NAT rule and LB service with active and inactiveReason",
            null, List.of(), r -> ok(IntentCompilerView.json(store.current(), node.config())));
        router.add("GET", "/api/softgate/config", true, "softgate", "The whole applied intent document; ETag = generation", null, List.of(),
            r -> ok(Envelope.MAPPER.valueToTree(store.current())));
        router.add("PUT", "/api/softgate/config", true, "softgate", "Replace the whole intent document atomically (If-Match: generation)", "IntentDocument", List.of(), this::applyConfig);
    }

    private ApiResponse ready(ApiRequest request) {
        boolean ready = node.running().getAsBoolean();
        return ready ? Envelope.ok("ready", null) : Envelope.error(503, "dataplane", "not running yet");
    }

    private ApiResponse metrics(ApiRequest request) {
        IntentDocument document = store.current();
        Map<String, Integer> objects = new LinkedHashMap<>();
        objects.put("vpc", document.vpcs().size());
        objects.put("allocation", document.allocations().size());
        objects.put("subnet", document.subnets().size());
        objects.put("vnet", document.vnets().size());
        objects.put("nat", document.nats().size());
        objects.put("l4lb", document.l4lbs().size());
        objects.put("acl", document.acls().size());
        objects.put("route", document.routes().size());
        String text = new MetricsRenderer()
            .counters(node.counters().totals())
            .latencySummary("softgate_batch_latency_seconds", "Time to run one batch through the pipeline, all workers", latency.harvest())
            .gauge("softgate_intent_generation", "Generation of the applied intent", document.generation())
            .gauge("softgate_snapshot_epoch", "Epoch of the published snapshot", node.publisher().current().epoch())
            .gauge("softgate_intent_last_compile_seconds", "Time the last accepted change took to compile, persist and swap", store.lastCompileAndSwapNs() / 1e9)
            .labelledGauges("softgate_intent_objects", "Objects in the applied intent, by kind", "kind", objects)
            .gauge("softgate_workers", "Data-plane workers", node.workers().size())
            .render();
        return ApiResponse.text(200, ApiResponse.PROMETHEUS_TEXT, text);
    }

    private ObjectNode nodeSettings() {
        NodeConfig config = node.config().node();
        ObjectNode data = Envelope.object();
        data.put("name", config.name());
        data.put("routerMac", config.routerMac());
        data.put("vtepAddress", config.vtepAddress());
        data.put("publicVrf", config.publicVrf());
        data.put("underlayMtuBytes", config.underlayMtuBytes());
        data.put("bgpEnabled", node.config().bgp().enabled());
        data.put("asn", node.config().bgp().asn());
        data.put("routerId", node.config().bgp().routerId());
        ArrayNode neighbors = data.putArray("bgpNeighbors");
        for (BgpNeighborConfig neighbor : node.config().bgp().neighbors()) {
            neighbors.addObject().put("address", neighbor.address()).put("remoteAsn", neighbor.remoteAsn());
        }
        return data;
    }

    private ObjectNode state() {
        IntentDocument document = store.current();
        ObjectNode data = Envelope.object();
        data.put("generation", document.generation());
        data.put("snapshotEpoch", node.publisher().current().epoch());
        data.put("running", node.running().getAsBoolean());
        data.put("workers", node.workers().size());
        ObjectNode modules = data.putObject("modules");
        for (IntentModuleAdapter adapter : store.compiler().adapters()) {
            modules.put(adapter.module(), adapter.wired() ? "compiled into the snapshot; its stages run in every worker" : "stored and validated only (no compiler attached in this process)");
        }
        ObjectNode objects = data.putObject("objects");
        objects.put("vpc", document.vpcs().size());
        objects.put("vnet", document.vnets().size());
        objects.put("nat", document.nats().size());
        objects.put("l4lb", document.l4lbs().size());
        objects.put("acl", document.acls().size());
        objects.put("route", document.routes().size());
        data.set("counters", counters());
        return data;
    }

    private ObjectNode counters() {
        ObjectNode data = Envelope.object();
        for (Map.Entry<String, Long> entry : new java.util.TreeMap<>(node.counters().totals()).entrySet()) {
            data.put(entry.getKey(), entry.getValue());
        }
        return data;
    }

    private ApiResponse sessions(ApiRequest request) throws BadRequestException {
        SessionFilter filter = SessionFilter.of(request, store.current());
        return ok(SessionListing.list(node.state(), node.publisher().current(), filter));
    }

    private ApiResponse bgp(ApiRequest request) throws BadRequestException {
        String limit = SessionFilter.single(request, "limit");
        return ok(BgpStateView.of(node.state().bgpSpeaker().get(), node.config(),
            limit == null ? SessionFilter.DEFAULT_LIMIT : SessionFilter.limit(limit)));
    }

    /** {@code POST /api/softgate/bgp/shutdown}: the stop that withdraws, for one stop, whatever {@code onStop} says. */
    private ApiResponse bgpShutdown(ApiRequest request) {
        BgpSpeaker speaker = node.state().bgpSpeaker().get();
        if (speaker == null) {
            return Envelope.error(409, "bgp", "BGP is not running on this node");
        }
        int sessions;
        try {
            // On the API thread, which waits: a drain is a rare operator command, bounded here.
            sessions = speaker.shutdownSessions().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Envelope.error(503, "bgp", "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            return Envelope.error(503, "bgp", "the speaker did not answer: " + e);
        }
        ObjectNode data = Envelope.object();
        data.put("sessionsShutDown", sessions);
        data.put("neighbors", speaker.peerStates().size());
        return ok("BGP shut down: Cease sent to " + sessions + " established session(s); the leaves withdraw this "
            + "node's routes; restart the service to bring BGP back", data);
    }

    /**
     * The document bound straight from the body's bytes, or null when that fails for any reason.
     * One pass instead of a JSON tree and then the binding: for a 3 MB document of 11,000 rules
     * the tree costs about a third of the parse when warm and more in the cold first request. A
     * body that does not bind is read again by {@link #readDocument}, which names the problem.
     */
    private static IntentDocument readDocumentInOnePass(byte[] body) {
        try {
            return body.length == 0 ? null : DOCUMENT_READER.readValue(body, IntentDocument.class);
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /** The body bound as {@link #applyConfig} binds it first (the start-up warm-up's reader); throws when it does not bind. */
    static IntentDocument bindDocument(byte[] body) throws java.io.IOException {
        return DOCUMENT_READER.readValue(body, IntentDocument.class);
    }

    /** The document of the body through its JSON tree; every failure a 400 naming the field ({@link JsonBody#bind}). */
    private static IntentDocument readDocument(ApiRequest request) throws BadRequestException {
        return JsonBody.bind(JsonBody.object(request), IntentDocument.class);
    }

    private ApiResponse applyConfig(ApiRequest request) throws BadRequestException, IntentRejectedException {
        IntentDocument document = readDocumentInOnePass(request.body());
        if (document == null) {
            document = readDocument(request);
        }
        if (document.siteName() == null || document.adminTenantName() == null) {
            throw new BadRequestException("siteName", "siteName and adminTenantName are required");
        }
        IntentStore.Applied<IntentDocument> applied = store.replace(expectedGeneration(request), document);
        return ok(Envelope.object().put("generation", applied.document().generation())
            .put("compileAndSwapMicros", applied.compileAndSwapNs() / 1000));
    }
}
