package io.softgate.service.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.softgate.core.io.MemoryPacketIo;
import io.softgate.core.io.PacketIo;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.NanoClock;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.service.config.ConfigLoader;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.compose.SnapshotComposer;
import io.softgate.service.features.ServiceFeatures;
import io.softgate.service.io.PacketIoFactory;
import io.softgate.service.pipeline.ServicePipeline;
import io.softgate.service.runtime.SoftgateRuntime;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real API on 127.0.0.1 (free port) over a real runtime with one worker on the in-memory
 * packet backend (driven by {@code doWork()}, no threads), its intent under a temporary state
 * directory, one user ({@link #USER}/{@link #PASSWORD}) and one bearer token; plus a small
 * HTTP client that speaks to it the way Netris clients do.
 */
final class ApiFixture implements AutoCloseable {
    static final String USER = "cloudstack";
    static final String PASSWORD = "correct horse battery staple";
    static final String TOKEN = "automation-token-0123456789abcdef0123456789";
    static final String CONFIG = """
        {"node": {"name": "sg1", "routerMac": "02:5f:00:00:00:01", "vtepAddress": "10.255.0.1", "publicVrf": "public"},
         "forwarding": {"vrfs": [{"name": "public", "l3vni": 9000}]},
         "dataplane": {"workers": 1, "batchSize": 32, "framesPerWorker": 256},
         "io": {"backend": "memory"}}
        """;

    final Path stateDir;
    final SoftgateConfig config;
    final SoftgateRuntime runtime;
    final ServiceFeatures features;
    final SnapshotComposer composer;
    final List<MemoryPacketIo> ports = new ArrayList<>();
    final List<ConfigSnapshot> published = new ArrayList<>();
    /** The applied intent, opened and published before the API starts (as the service does). */
    final io.softgate.service.intent.IntentStore intent;
    final ApiService api;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String session;
    private boolean closed;

    ApiFixture(Path stateDir) throws Exception {
        this(stateDir, CONFIG);
    }

    /** A fixture over another configuration file ({@code configJson}). */
    ApiFixture(Path stateDir, String configJson) throws Exception {
        this(stateDir, configJson, () -> null);
    }

    /** A fixture whose state endpoints read {@code bgpSpeaker}'s speaker (null: BGP disabled). */
    ApiFixture(Path stateDir, String configJson, java.util.function.Supplier<io.softgate.evpn.bgp.session.BgpSpeaker> bgpSpeaker)
        throws Exception {
        this(stateDir, configJson, bgpSpeaker, 0, fixture -> { });
    }

    /**
     * A fixture whose API runs the start-up warm-up with {@code warmUpCpuBudgetNs} of CPU time (the
     * service's default is {@link ApiSettings#DEFAULT_WARM_UP_CPU_BUDGET_NS}; 0, as in the other
     * constructors, which tests use: none); {@code beforeApi} runs once the runtime and the
     * composer exist and the applied intent is published ({@link #intent}), before the API starts
     * and warms up: where the service's workers already forward.
     */
    ApiFixture(Path stateDir, String configJson, java.util.function.Supplier<io.softgate.evpn.bgp.session.BgpSpeaker> bgpSpeaker,
               long warmUpCpuBudgetNs, java.util.function.Consumer<ApiFixture> beforeApi) throws Exception {
        this.stateDir = stateDir;
        this.config = ConfigLoader.parse("test", configJson.getBytes(StandardCharsets.UTF_8));
        PacketIoFactory io = new PacketIoFactory() {
            @Override
            public PacketIo[] openPorts(int workerId, FramePool pool) {
                MemoryPacketIo port = new MemoryPacketIo("memory-" + workerId, pool, 256, 256, 1900);
                ports.add(port);
                return new PacketIo[] {port};
            }
        };
        // The service's own graph and composition (file + intent + learned routes), as ServiceProcess
        // builds them, so packets show what the published tables do.
        this.features = ServiceFeatures.create(config);
        this.runtime = new SoftgateRuntime(config.dataplane(), ServicePipeline.definition(config, features), io,
            NanoClock.SYSTEM);
        // As ServiceProcess does: compiling the file first gives the features the file's VRF numbering,
        // which the composer's check of the file's loadBalancer section resolves VPC names against.
        ServicePipeline.compile(config, features);
        this.composer = new SnapshotComposer(runtime.publisher(), config, features);
        composer.publishFileOnly();
        ApiSettings settings = new ApiSettings("127.0.0.1", 0, Map.of(USER, PasswordHash.hash(PASSWORD.toCharArray())),
            List.of(TOKEN), null, 600, 16 * 1024 * 1024, stateDir, "softgate-site", ApiSettings.DEFAULT_ADMIN_TENANT,
            warmUpCpuBudgetNs);
        // As ApiHook.loadIntent, then ApiHook.start once the data plane runs: open and publish the
        // applied intent, attach it to the composer, then serve it.
        this.intent = ApiService.openIntent(settings.stateDir(), settings.siteName(), settings.adminTenantName(),
            ConfigSnapshot::builder, snapshot -> {
                ConfigSnapshot result = composer.commit(snapshot);
                published.add(result);
                return result;
            }, composer.adapters());
        composer.attach(intent);
        beforeApi.accept(this);
        // The state endpoints read the running tables, as ApiHook wires them.
        StateSources state = new StateSources(features.nat().sessions(), features.loadBalancerConnections(),
            features.loadBalancer(), bgpSpeaker, NanoClock.SYSTEM::nanoTime);
        NodeView node = new NodeView(config, runtime.counters(), runtime.workers(), runtime.publisher(), () -> true, state);
        this.api = ApiService.start(settings, node, intent);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + api.address().getPort() + path);
    }

    /** POST /api/auth with the form body Netris clients send; keeps the session cookie. */
    HttpResponse<String> login(String user, String password) throws IOException, InterruptedException {
        String form = "user=" + java.net.URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
            + java.net.URLEncoder.encode(password, StandardCharsets.UTF_8) + "&auth_scheme_id=1";
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/api/auth"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        response.headers().firstValue("Set-Cookie").ifPresent(cookie -> {
            if (cookie.startsWith(Authenticator.SESSION_COOKIE + "=")) {
                session = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
            }
        });
        return response;
    }

    HttpResponse<String> send(String method, String path, String json) throws IOException, InterruptedException {
        return send(method, path, json, Map.of());
    }

    HttpResponse<String> send(String method, String path, String json, Map<String, String> headers)
        throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
            .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            builder.header("Content-Type", "application/json");
        }
        if (session != null) {
            builder.header("Cookie", Authenticator.SESSION_COOKIE + "=" + session);
        }
        headers.forEach(builder::header);
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends, requires HTTP 200 and {@code isSuccess: true}, and returns {@code data}. */
    JsonNode ok(String method, String path, String json) throws IOException, InterruptedException {
        HttpResponse<String> response = send(method, path, json);
        JsonNode envelope = Envelope.MAPPER.readTree(response.body());
        if (response.statusCode() != 200 || !envelope.path("isSuccess").asBoolean()) {
            throw new AssertionError(method + " " + path + " -> " + response.statusCode() + " " + response.body());
        }
        return envelope.get("data");
    }

    /** First item of a list answer whose field equals value, or null (the plugin's find-by-name). */
    static JsonNode find(JsonNode list, String field, String value) {
        for (JsonNode item : list) {
            if (value.equals(item.path(field).asText())) {
                return item;
            }
        }
        return null;
    }

    /** Injects one frame into worker 0 and runs it through the pipeline; returns the counter deltas asked for. */
    long[] push(byte[] frame, String... counters) {
        long[] before = new long[counters.length];
        for (int i = 0; i < counters.length; i++) {
            before[i] = runtime.counters().total(counters[i]);
        }
        ports.get(0).inject(frame);
        runtime.workers().get(0).doWork();
        long[] delta = new long[counters.length];
        for (int i = 0; i < counters.length; i++) {
            delta[i] = runtime.counters().total(counters[i]) - before[i];
        }
        return delta;
    }

    /** Runs {@code softgatectl} with the bearer token against this API; returns its output, failing on a non-zero exit. */
    String softgatectl(String... args) throws IOException {
        // Inside the state directory, which the test's @TempDir removes (a sibling of it was left
        // behind in /tmp by every run); close() deletes it too for callers that keep their directory.
        Path tokenFile = tokenFile();
        Files.writeString(tokenFile, TOKEN);
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine line = io.softgate.service.cli.SoftgateCtl.commandLine();
        line.setOut(new java.io.PrintWriter(out));
        line.setErr(new java.io.PrintWriter(err));
        String[] all = new String[args.length + 4];
        all[0] = "--url";
        all[1] = "http://127.0.0.1:" + api.address().getPort();
        all[2] = "--token-file";
        all[3] = tokenFile.toString();
        System.arraycopy(args, 0, all, 4, args.length);
        int exit = line.execute(all);
        if (exit != 0) {
            throw new AssertionError("softgatectl exit " + exit + ": " + err);
        }
        return out.toString();
    }

    /** Where {@link #softgatectl} keeps the bearer token it passes as {@code --token-file}. */
    Path tokenFile() {
        return stateDir.resolve("softgatectl.token");
    }

    String intentFileText() throws IOException {
        Path file = stateDir.resolve("intent.json");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        api.close();
        runtime.close();
        features.close();
        try {
            Files.deleteIfExists(tokenFile());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
