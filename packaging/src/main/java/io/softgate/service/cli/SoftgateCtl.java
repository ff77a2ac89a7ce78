package io.softgate.service.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.softgate.service.api.PasswordHash;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code softgatectl}: the operator's command line over the softgate API. Credentials come from a
 * token file ({@code --token-file} or {@code SOFTGATE_TOKEN_FILE}) or a user whose password is
 * read from {@code --password-file} / {@code SOFTGATE_PASSWORD}; never from the command line, so
 * no secret shows in {@code ps}. Exit codes: 0 ok, 1 the API refused or failed, 2 usage,
 * 3 cannot reach the API.
 *
 * <p>Threading: single-threaded command-line program.
 */
@Command(name = "softgatectl", mixinStandardHelpOptions = true, versionProvider = io.softgate.service.SoftgateMain.Version.class,
    description = "Inspect and configure a running softgate through its API.",
    subcommands = {SoftgateCtl.Status.class, SoftgateCtl.Counters.class, SoftgateCtl.Sessions.class, SoftgateCtl.Bgp.class,
        SoftgateCtl.LbHealth.class,
        SoftgateCtl.Config.class, SoftgateCtl.Trace.class, SoftgateCtl.HashPassword.class},
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:success", "1:the API refused the request or failed", "2:invalid command line", "3:cannot reach the API"})
public final class SoftgateCtl {
    static final int API_ERROR = 1;
    static final int UNREACHABLE = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--url", defaultValue = "${env:SOFTGATE_API_URL:-http://127.0.0.1:8089}", description = "API base URL (default: ${DEFAULT-VALUE})")
    String url;

    @Option(names = "--token-file", defaultValue = "${env:SOFTGATE_TOKEN_FILE}", description = "file holding a bearer token")
    Path tokenFile;

    @Option(names = "--user", defaultValue = "${env:SOFTGATE_USER}", description = "user for a form login (password from --password-file or SOFTGATE_PASSWORD)")
    String user;

    @Option(names = "--password-file", description = "file holding the user's password")
    Path passwordFile;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    PrintWriter out;
    PrintWriter err;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String cookie;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new SoftgateCtl());
    }

    /** Takes the writers the command line was given (tests capture them). */
    void bindWriters() {
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
    }

    /** Sends one request with the configured credentials; prints the envelope's data, or the errors. */
    int call(String method, String path, String body, String ifMatch) {
        return call(method, path, body, ifMatch, null);
    }

    /**
     * As {@link #call(String, String, String, String)}, printing the data through {@code text}
     * (a human-readable rendering) when it is not null.
     */
    int call(String method, String path, String body, String ifMatch, java.util.function.Function<JsonNode, String> text) {
        bindWriters();
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            if (ifMatch != null) {
                request.header("If-Match", "\"" + ifMatch + "\"");
            }
            if (!authenticate(request)) {
                return API_ERROR;
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return print(response, text);
        } catch (IOException e) {
            err.println("softgatectl: cannot reach " + url + ": " + e.getMessage());
            err.flush();
            return UNREACHABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return UNREACHABLE;
        }
    }

    private boolean authenticate(HttpRequest.Builder request) throws IOException, InterruptedException {
        if (tokenFile != null) {
            request.header("Authorization", "Bearer " + Files.readString(tokenFile).strip());
            return true;
        }
        if (user == null) {
            err.println("softgatectl: give --token-file (or SOFTGATE_TOKEN_FILE) or --user with a password");
            err.flush();
            return false;
        }
        if (cookie == null) {
            String password = passwordFile != null ? Files.readString(passwordFile).strip() : System.getenv("SOFTGATE_PASSWORD");
            if (password == null) {
                err.println("softgatectl: no password: give --password-file or SOFTGATE_PASSWORD");
                err.flush();
                return false;
            }
            String form = "user=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&auth_scheme_id=1";
            HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(url + "/api/auth"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
            if (login.statusCode() != 200) {
                print(login, null);
                return false;
            }
            String setCookie = login.headers().firstValue("Set-Cookie").orElse("");
            cookie = setCookie.contains(";") ? setCookie.substring(0, setCookie.indexOf(';')) : setCookie;
        }
        request.header("Cookie", cookie);
        return true;
    }

    private int print(HttpResponse<String> response, java.util.function.Function<JsonNode, String> text)
        throws IOException {
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith("application/json")) {
            out.print(response.body());
            out.flush();
            return response.statusCode() == 200 ? 0 : API_ERROR;
        }
        JsonNode envelope = JSON.readTree(response.body());
        if (response.statusCode() == 200 && envelope.path("isSuccess").asBoolean(false)) {
            JsonNode data = envelope.get("data");
            out.println(text != null ? text.apply(data) : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(data));
            out.flush();
            return 0;
        }
        err.println("softgatectl: HTTP " + response.statusCode() + ": " + envelope.path("message").asText());
        for (JsonNode error : envelope.path("errors")) {
            err.println("  " + error.path("name").asText() + ": " + error.path("error").asText());
        }
        err.flush();
        return API_ERROR;
    }

    @Command(name = "status", description = "Node state: generation, snapshot epoch, module wiring, counters.")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        SoftgateCtl ctl;

        @Override
        public Integer call() {
            return ctl.call("GET", "/api/softgate/state", null, null);
        }
    }

    @Command(name = "counters", description = "Data-plane counters summed over workers.")
    static final class Counters implements Callable<Integer> {
        @ParentCommand
        SoftgateCtl ctl;

        @Override
        public Integer call() {
            return ctl.call("GET", "/api/softgate/counters", null, null);
        }
    }

    @Command(name = "sessions", description = "Live NAT sessions and LB connections (a table; --json for the API's answer).")
    static final class Sessions implements Callable<Integer> {
        @ParentCommand
        SoftgateCtl ctl;

        @Option(names = "--vpc", description = "only this VPC (name or intent id; a comma-separated list)")
        String vpc;

        @Option(names = "--address", description = "only sessions whose inside, outside or remote address is in this IPv4 address or prefix")
        String address;

        @Option(names = "--limit", description = "list at most this many (the API's default 1000, max 100000); the total matched is still shown")
        Integer limit;

        @Option(names = "--json", description = "print the API's JSON answer")
        boolean json;

        @Override
        public Integer call() {
            StringBuilder query = new StringBuilder();
            append(query, "vpc", vpc);
            append(query, "address", address);
            append(query, "limit", limit == null ? null : limit.toString());
            return ctl.call("GET", "/api/softgate/sessions" + query, null, null, json ? null : StateTables::sessions);
        }
    }

    /** Appends {@code name=value} (URL-encoded) to a query string when {@code value} is given. */
    static void append(StringBuilder query, String name, String value) {
        if (value != null) {
            query.append(query.length() == 0 ? '?' : '&').append(name).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }

    @Command(name = "bgp", description = "BGP peers, VRFs, advertised and learned routes (a summary; --json for the API's answer).",
        subcommands = {Bgp.Shutdown.class})
    static final class Bgp implements Callable<Integer> {
        @ParentCommand
        SoftgateCtl ctl;

        @Option(names = "--limit", description = "learned paths listed at most (the API's default 1000)")
        Integer limit;

        @Option(names = "--json", description = "print the API's JSON answer")
        boolean json;

        @Override
        public Integer call() {
            StringBuilder query = new StringBuilder();
            append(query, "limit", limit == null ? null : limit.toString());
            return ctl.call("GET", "/api/softgate/bgp" + query, null, null, json ? null : StateTables::bgp);
        }

        @Command(name = "shutdown", description = "Drain the node: Cease (Hard Reset) to every BGP neighbour, so the "
            + "leaves withdraw its routes now; BGP stays down until the service restarts, and the next stop is no "
            + "graceful restart. Before a decommission, or a stop the fabric must not ride through.")
        static final class Shutdown implements Callable<Integer> {
            @ParentCommand
            Bgp bgp;

            @Override
            public Integer call() {
                return bgp.ctl.call("POST", "/api/softgate/bgp/shutdown", null, null,
                    data -> "BGP shut down: Cease sent to " + data.path("sessionsShutDown").asInt() + " established "
                        + "session(s) of " + data.path("neighbors").asInt() + " neighbour(s); the leaves withdraw "
                        + "this node's routes. Restart the service to bring BGP back.");
            }
        }
    }

    @Command(name = "lb-health", description = "Load-balancer backends as the health checker sees them (--json for the API's answer).")
    static final class LbHealth implements Callable<Integer> {
        @ParentCommand
        SoftgateCtl ctl;

        @Option(names = "--json", description = "print the API's JSON answer")
        boolean json;

        @Override
        public Integer call() {
            return ctl.call("GET", "/api/softgate/lb-health", null, null, json ? null : StateTables::lbHealth);
        }
    }

    @Command(name = "trace", description = "Packet trace: 'trace start' arms a trace of the next N packets matching "
        + "the filter, 'trace show' prints each traced packet's stages, verdicts and decisions, 'trace stop' disarms.",
        subcommands = {Trace.Start.class, Trace.Show.class, Trace.Stop.class})
    static final class Trace {
        @ParentCommand
        SoftgateCtl ctl;

        @Command(name = "start", description = "Trace the next --count packets matching every given filter option.")
        static final class Start implements Callable<Integer> {
            @ParentCommand
            Trace trace;

            @Option(names = "--count", defaultValue = "1", description = "packets to trace, 1..256 (default: ${DEFAULT-VALUE})")
            int count;

            @Option(names = "--vni", description = "VXLAN VNI the packet arrived with")
            Integer vni;

            @Option(names = "--vrf", description = "VRF or VPC name the packet was decapsulated into")
            String vrf;

            @Option(names = "--src", description = "inner IPv4 source prefix or address")
            String source;

            @Option(names = "--dst", description = "inner IPv4 destination prefix or address")
            String destination;

            @Option(names = "--proto", description = "tcp, udp, icmp or a protocol number")
            String protocol;

            @Option(names = "--sport", description = "L4 source port")
            Integer sourcePort;

            @Option(names = "--dport", description = "L4 destination port")
            Integer destinationPort;

            @Override
            public Integer call() throws IOException {
                com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode().put("count", count);
                if (vni != null) {
                    body.put("vni", vni);
                }
                if (vrf != null) {
                    body.put("vrf", vrf);
                }
                if (source != null) {
                    body.put("sourcePrefix", source);
                }
                if (destination != null) {
                    body.put("destinationPrefix", destination);
                }
                if (protocol != null) {
                    body.put("protocol", protocol);
                }
                if (sourcePort != null) {
                    body.put("sourcePort", sourcePort);
                }
                if (destinationPort != null) {
                    body.put("destinationPort", destinationPort);
                }
                return trace.ctl.call("POST", "/api/softgate/trace", JSON.writeValueAsString(body), null);
            }
        }

        @Command(name = "show", description = "Print the current trace (a finished trace is disarmed by reading it).")
        static final class Show implements Callable<Integer> {
            @ParentCommand
            Trace trace;

            @Override
            public Integer call() {
                return trace.ctl.call("GET", "/api/softgate/trace", null, null);
            }
        }

        @Command(name = "stop", description = "Disarm the current trace and print what it recorded.")
        static final class Stop implements Callable<Integer> {
            @ParentCommand
            Trace trace;

            @Override
            public Integer call() {
                return trace.ctl.call("DELETE", "/api/softgate/trace", null, null);
            }
        }
    }

    @Command(name = "config", description = "The applied intent document.", subcommands = {Config.Get.class, Config.Apply.class})
    static final class Config {
        @ParentCommand
        SoftgateCtl ctl;

        @Command(name = "get", description = "Print the applied intent document (its generation included).")
        static final class Get implements Callable<Integer> {
            @ParentCommand
            Config config;

            @Override
            public Integer call() {
                return config.ctl.call("GET", "/api/softgate/config", null, null);
            }
        }

        @Command(name = "apply", description = "Replace the whole intent with FILE, atomically. Refused (exit 1) if the "
            + "node's generation is no longer the one in FILE, unless --force.")
        static final class Apply implements Callable<Integer> {
            @ParentCommand
            Config config;

            @Parameters(paramLabel = "FILE", description = "an intent document, as printed by 'config get'")
            Path file;

            @Option(names = "--force", description = "apply whatever the node's current generation")
            boolean force;

            @Override
            public Integer call() throws IOException {
                String body = Files.readString(file);
                JsonNode document = JSON.readTree(body);
                String generation = force || !document.has("generation") ? null : document.get("generation").asText();
                return config.ctl.call("PUT", "/api/softgate/config", body, generation);
            }
        }
    }

    @Command(name = "hash-password", description = "Read a password (twice, without echo) and print a credentials-file line for USER.")
    static final class HashPassword implements Callable<Integer> {
        @ParentCommand
        SoftgateCtl ctl;

        @Parameters(paramLabel = "USER")
        String user;

        @Override
        public Integer call() throws IOException {
            ctl.bindWriters();
            char[] password;
            Console console = System.console();
            if (console != null) {
                password = console.readPassword("password: ");
                char[] again = console.readPassword("again: ");
                if (password == null || !java.util.Arrays.equals(password, again)) {
                    ctl.err.println("softgatectl: the passwords differ");
                    ctl.err.flush();
                    return API_ERROR;
                }
            } else {
                String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                password = line == null ? new char[0] : line.toCharArray();
            }
            if (password.length < 12) {
                ctl.err.println("softgatectl: use at least 12 characters");
                ctl.err.flush();
                return API_ERROR;
            }
            ctl.out.println(user + ":" + PasswordHash.hash(password));
            ctl.out.flush();
            return 0;
        }
    }
}
