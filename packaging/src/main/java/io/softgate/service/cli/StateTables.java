package io.softgate.service.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * How {@code softgatectl sessions}, {@code bgp} and {@code lb-health} print the API's state answers
 * for a person: aligned columns with a summary line ({@code --json} prints the answer itself).
 *
 * <p>Threading: stateless.
 */
final class StateTables {
    private StateTables() {
    }

    /** {@code GET /api/softgate/sessions}'s data as a table. */
    static String sessions(JsonNode data) {
        Table table = new Table("KIND", "PROTO", "VPC", "INSIDE", "OUTSIDE", "REMOTE", "STATE", "EXPIRES");
        for (JsonNode session : data.path("sessions")) {
            String kind = session.path("kind").asText();
            if (session.has("mapping")) {
                kind += "/" + session.path("mapping").asText();
            }
            table.row(kind, session.path("protocol").asText(), session.path("vpc").asText(), session.path("inside").asText(),
                session.path("outside").asText(), session.path("remote").asText(),
                session.path("tcpState").isNull() ? "-" : session.path("tcpState").asText(),
                session.path("expiresInSeconds").asLong() + "s");
        }
        String summary = data.path("returned").asLong() + " of " + data.path("matched").asLong() + " matching session(s) shown"
            + (data.path("truncated").asBoolean() ? " (cut at --limit " + data.path("limit").asInt() + ")" : "")
            + "; tables hold " + data.path("natSessions").asLong() + " NAT session(s), " + data.path("lbConnections").asLong()
            + " LB connection(s)";
        return table.render() + summary;
    }

    /** {@code GET /api/softgate/bgp}'s data as a summary: peers, VRFs, learned paths. */
    static String bgp(JsonNode data) {
        String status = data.path("bgp").asText();
        if (!"enabled".equals(status)) {
            return "BGP " + status + (data.has("reason") ? ": " + data.path("reason").asText() : "");
        }
        StringBuilder text = new StringBuilder();
        text.append("BGP router id ").append(data.path("routerId").asText()).append(", AS ").append(data.path("asn").asLong())
            .append(", ").append(data.path("advertisedRoutes").asInt()).append(" route(s) advertised\n\n");
        Table peers = new Table("NEIGHBOR", "AS", "STATE", "UP", "TRANSITIONS", "RECEIVED", "BEST");
        for (JsonNode peer : data.path("peers")) {
            peers.row(peer.path("address").asText(), peer.path("remoteAsn").asText(), peer.path("state").asText(),
                peer.has("uptimeSeconds") ? duration(peer.path("uptimeSeconds").asLong()) : "-",
                peer.path("establishedTransitions").asText(), peer.path("pathsReceived").asText(), peer.path("bestPaths").asText());
        }
        text.append(peers.render()).append('\n');
        Table vrfs = new Table("VRF", "L3VNI", "RD", "EXPORT RT", "SOURCE", "LEARNED", "ADVERTISED");
        for (JsonNode vrf : data.path("vrfs")) {
            vrfs.row(vrf.path("name").asText(), vrf.path("l3Vni").asText(), vrf.path("routeDistinguisher").asText(),
                join(vrf.path("exportRouteTargets")), vrf.path("source").asText(), vrf.path("learnedBestPaths").asText(),
                join(vrf.path("advertised")));
        }
        text.append(vrfs.render()).append('\n');
        JsonNode learned = data.path("learned");
        Table paths = new Table("VRF", "ROUTE", "NEXT HOP", "PEER");
        for (JsonNode path : learned.path("paths")) {
            paths.row(path.path("vrf").asText(), path.path("route").asText() + (path.path("stale").asBoolean() ? " (stale)" : ""),
                path.path("nextHop").asText(), path.path("peer").asText());
        }
        text.append(paths.render()).append(learned.path("paths").size()).append(" of ").append(learned.path("bestPaths").asInt())
            .append(" learned best path(s) shown");
        return text.toString();
    }

    /** {@code GET /api/softgate/lb-health}'s data: one row per backend. */
    static String lbHealth(JsonNode data) {
        Table table = new Table("SERVICE", "VIP", "CHECK", "BACKEND", "HEALTH", "OK/FAIL", "LAST PROBE");
        for (JsonNode service : data) {
            String vip = service.path("vip").asText() + ":" + service.path("port").asText() + "/" + service.path("protocol").asText();
            String check = service.path("healthCheck").path("type").asText();
            if (service.path("backends").isEmpty()) {
                // A service without backends still gets its row: an operator looks for it by name.
                table.row(service.path("name").asText(), vip, check, "-",
                    service.path("active").asBoolean(true) ? "no backends" : "inactive, no backends", "-", "-");
            }
            for (JsonNode backend : service.path("backends")) {
                String counts = backend.has("consecutiveSuccesses")
                    ? backend.path("consecutiveSuccesses").asText() + "/" + backend.path("consecutiveFailures").asText() : "-";
                String last = backend.path("lastProbe").isTextual()
                    ? backend.path("lastProbe").asText() + " " + backend.path("lastProbeAt").asText() : "-";
                table.row(service.path("name").asText(), vip, check, backend.path("ip").asText() + ":" + backend.path("port").asText(),
                    backend.path("health").asText(), counts, last);
            }
        }
        return table.render() + data.size() + " service(s)";
    }

    private static String join(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values.isEmpty() ? "-" : String.join(",", values);
    }

    private static String duration(long seconds) {
        long days = seconds / 86_400;
        long hours = seconds / 3600 % 24;
        long minutes = seconds / 60 % 60;
        return (days > 0 ? days + "d" : "") + String.format("%02d:%02d:%02d", hours, minutes, seconds % 60);
    }

    /** Left-aligned columns, two spaces apart, header first. */
    private static final class Table {
        private final List<String[]> rows = new ArrayList<>();

        Table(String... header) {
            rows.add(header);
        }

        void row(String... cells) {
            rows.add(cells);
        }

        String render() {
            int[] widths = new int[rows.get(0).length];
            for (String[] row : rows) {
                for (int c = 0; c < row.length; c++) {
                    widths[c] = Math.max(widths[c], row[c].length());
                }
            }
            StringBuilder text = new StringBuilder();
            for (String[] row : rows) {
                StringBuilder line = new StringBuilder();
                for (int c = 0; c < row.length; c++) {
                    line.append(row[c]);
                    if (c < row.length - 1) {
                        line.append(" ".repeat(widths[c] - row[c].length() + 2));
                    }
                }
                text.append(line.toString().stripTrailing()).append('\n');
            }
            return text.toString();
        }
    }
}
