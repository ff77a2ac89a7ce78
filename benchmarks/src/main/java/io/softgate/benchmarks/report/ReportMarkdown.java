package io.softgate.benchmarks.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders the report's JSON document as Markdown: machine, methodology (beside the numbers),
 * headline, each sweep as a table, memory per session and per VPC, per-stage suites, the GC
 * comparison and choice, and links to the SVG plots.
 *
 * <p>Threading: stateless.
 */
final class ReportMarkdown {
    private ReportMarkdown() {
    }

    @SuppressWarnings("unchecked")
    static String render(Map<String, Object> report) {
        StringBuilder md = new StringBuilder();
        md.append("# Softgate capacity report\n\n");
        md.append("Generated ").append(report.get("generatedAt")).append(" in ").append(report.get("durationSeconds"))
            .append(" s by `").append(((Map<String, Object>) report.get("methodology")).get("command")).append("`.\n\n");

        md.append("## Machine\n\n| | |\n|---|---|\n");
        ((Map<String, Object>) report.get("machine")).forEach((key, value) ->
            md.append("| ").append(key).append(" | ").append(value).append(" |\n"));

        md.append("\n## Methodology\n\n");
        ((Map<String, Object>) report.get("methodology")).forEach((key, value) ->
            md.append("- **").append(key).append("**: ").append(value).append('\n'));

        Map<String, Object> headline = (Map<String, Object>) report.get("headline");
        md.append("\n## Headline\n\n");
        if (headline.isEmpty()) {
            md.append("Not measured.\n");
        } else {
            md.append(String.format(Locale.ROOT, "%s: **%s Mpps per core**, **%s ns per packet**, **%s bytes allocated "
                    + "per packet**.%n", headline.get("scenario"), num(headline.get("mppsPerCore"), "%.2f"),
                num(headline.get("nsPerPacket"), "%.0f"), num(headline.get("bytesAllocatedPerPacket"), "%.3f")));
            md.append("\nCores for a target: cores = target Mpps / (Mpps per core at the session and rule counts of the "
                + "tables below), plus headroom; check the worker-scaling row for how well a second core adds.\n");
        }

        List<Map<String, Object>> rows = (List<Map<String, Object>>) report.get("pipeline");
        sweep(md, rows, "sessions", "Throughput against established sessions (rules 100, 1 VPC, 64-byte packets)",
            "throughput-vs-sessions.svg");
        sweep(md, rows, "rules", "Throughput against ACL rules per VPC (10,000 sessions, 1 VPC, 64-byte packets)",
            "throughput-vs-rules.svg");
        sweep(md, rows, "vpcs", "Throughput against configured VPCs (100,000 sessions, 10 rules per VPC, 64-byte packets)", null);
        Map<String, Object> vpc = (Map<String, Object>) report.get("vpcScaling");
        md.append(String.format(Locale.ROOT, "%nAt %s VPCs the pipeline ran at %s of its one-VPC rate: requirement "
                + "(within 10 %%) **%s**.%n", vpc.get("vpcs"), num(vpc.get("ratio"), "%.3f"),
            Boolean.TRUE.equals(vpc.get("withinTenPercent")) ? "met" : "not met on this run"));
        List<Map<String, Object>> cpu = (List<Map<String, Object>>) report.get("vpcScalingCpuTime");
        if (cpu != null && !cpu.isEmpty()) {
            md.append("\nThe same comparison in CPU time of the worker thread (in the report's JVM, one worker, 100,000 sessions, 10 rules "
                + "per VPC; waiting for a core does not count, so it is steadier than the JMH scores on a shared box):\n\n"
                + "| VPCs | CPU ns/packet | Mpps per CPU-second | wall ns/packet |\n|---:|---:|---:|---:|\n");
            for (Map<String, Object> row : cpu) {
                md.append("| ").append(num(row.get("vpcs"), "%.0f")).append(" | ")
                    .append(num(row.get("cpuNsPerPacket"), "%.1f")).append(" | ")
                    .append(num(row.get("mppsPerCpuSecond"), "%.3f")).append(" | ")
                    .append(num(row.get("wallNsPerPacket"), "%.1f")).append(" |\n");
            }
            if (cpu.size() == 2 && cpu.get(0).get("cpuNsPerPacket") instanceof Number first
                && cpu.get(1).get("cpuNsPerPacket") instanceof Number last) {
                double ratio = first.doubleValue() / last.doubleValue();
                md.append(String.format(Locale.ROOT, "%nIn CPU time, %s VPCs run at %.3f of the one-VPC rate: "
                    + "requirement (>= 0.9) **%s**.%n", num(cpu.get(1).get("vpcs"), "%.0f"), ratio,
                    ratio >= 0.9 ? "met" : "not met"));
            }
        }
        sweep(md, rows, "packetBytes", "Throughput against packet size (100,000 sessions, rules 100, 1 VPC)", null);
        sweep(md, rows, "workers", "Two workers (JMH threads), same tables (100,000 sessions, rules 100, 1 VPC, 64 B)", null);
        sweep(md, rows, "receiveOnly", "The replay receive alone (subtract for the softgate's own cost)", null);

        Map<String, Object> session = (Map<String, Object>) report.get("memoryPerSession");
        md.append("\n## Memory per session\n\n| table | value |\n|---|---:|\n");
        session.forEach((key, value) -> {
            if (!key.equals("method")) {
                md.append("| ").append(key).append(" | ").append(num(value, "%.1f")).append(" |\n");
            }
        });
        md.append("\nMethod: ").append(session.get("method")).append(".\n");

        Map<String, Object> perVpc = (Map<String, Object>) report.get("memoryPerVpc");
        md.append("\n## Memory per VPC\n\n| | value |\n|---|---:|\n");
        perVpc.forEach((key, value) -> md.append("| ").append(key).append(" | ").append(num(value, "%.1f")).append(" |\n"));
        md.append("\nMethod: retained heap (minimum of four reads after System.gc()) plus direct memory in use "
            + "(BufferPoolMXBean \"direct\"), with the whole data plane configured for 1 VPC and for ")
            .append(perVpc.get("vpcs")).append(" VPCs (same rules per VPC, same flow tables); the difference over "
                + "(VPCs - 1) is the cost of one VPC: VRF and route tables, ACL classifier, NAT rule and binding.\n");

        md.append("\n## Per-stage suites\n\n| benchmark | params | Mpps | ± | B/op |\n|---|---|---:|---:|---:|\n");
        for (Map<String, Object> suite : (List<Map<String, Object>>) report.get("stageSuites")) {
            if (suite.containsKey("missing") && !suite.containsKey("packetsPerSecond")) {
                md.append("| ").append(suite.get("benchmark")).append(" | ").append(suite.get("params"))
                    .append(" | ").append(suite.get("missing")).append(" | | |\n");
            } else {
                md.append("| ").append(suite.get("benchmark")).append(" | ").append(suite.get("params")).append(" | ")
                    .append(mpps(suite.get("packetsPerSecond"))).append(" | ").append(mpps(suite.get("error999")))
                    .append(" | ").append(num(suite.get("bytesAllocatedPerPacket"), "%.3f")).append(" |\n");
            }
        }

        List<Map<String, Object>> gc = (List<Map<String, Object>>) report.get("gcComparison");
        md.append("\n## Garbage collectors (per-batch latency of a steady pipeline run)\n\n");
        if (gc.isEmpty()) {
            md.append("Not run (--skip-gc).\n");
        } else {
            md.append("One child JVM per collector (-Xms2g -Xmx2g), 100,000 sessions, 100 rules, 10 VPCs, 64-byte "
                + "packets, batches of 256; a control-plane thread recompiles and republishes the ACL every 250 ms and "
                + "allocates 64 MB/s of garbage (a ring of 128 MiB of it lives for seconds). Latency per batch from "
                + "`Worker.batchLatencyNs()` after a 5 s warm-up. \"GC ms\" is the collectors' MXBean time: pauses for "
                + "G1, Parallel and Serial, concurrent cycles too for ZGC and Shenandoah.\n\n");
            md.append("| flag | p50 µs | p99 µs | p99.9 µs | p99.99 µs | max µs | Mpps | GCs | GC ms | load before |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
            for (Map<String, Object> row : gc) {
                if (row.containsKey("missing")) {
                    md.append("| ").append(row.get("flag")).append(" | ").append(row.get("missing"))
                        .append(" | | | | | | | | |\n");
                    continue;
                }
                md.append("| ").append(row.get("flag")).append(" | ").append(micros(row.get("p50Ns"))).append(" | ")
                    .append(micros(row.get("p99Ns"))).append(" | ").append(micros(row.get("p999Ns"))).append(" | ")
                    .append(micros(row.get("p9999Ns"))).append(" | ").append(micros(row.get("maxNs"))).append(" | ")
                    .append(mpps(row.get("packetsPerSecond"))).append(" | ").append(num(row.get("gcCount"), "%.0f"))
                    .append(" | ").append(num(row.get("gcTimeMs"), "%.0f")).append(" | ")
                    .append(row.get("loadAverageBefore")).append(" |\n");
            }
            Map<String, Object> choice = (Map<String, Object>) report.get("gcChoice");
            md.append("\nChoice: **").append(choice.get("flag")).append("** (").append(choice.get("reason"))
                .append("). Service flags: `").append(choice.get("serviceJvmFlags")).append("`.\n");
        }

        List<String> problems = (List<String>) report.get("problems");
        if (!problems.isEmpty()) {
            md.append("\n## Problems during this run\n\n");
            for (String problem : problems) {
                md.append("- ").append(problem).append('\n');
            }
        }
        return md.toString();
    }

    @SuppressWarnings("unchecked")
    private static void sweep(StringBuilder md, List<Map<String, Object>> rows, String sweep, String title, String svg) {
        md.append("\n## ").append(title).append("\n\n");
        md.append("| ").append(sweep).append(" | Mpps | ± (99.9 %) | Mpps per core | ns/packet per core | B/packet | threads | load before -> after |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---|\n");
        boolean any = false;
        for (Map<String, Object> row : rows) {
            if (!row.get("sweep").equals(sweep)) {
                continue;
            }
            any = true;
            Map<String, Object> params = (Map<String, Object>) row.get("params");
            String key = sweep.equals("workers") ? row.get("threads").toString()
                : sweep.equals("receiveOnly") ? params.get("packetBytes") + " B" : params.get(sweep).toString();
            md.append("| ").append(key).append(" | ").append(mpps(row.get("packetsPerSecond"))).append(" | ")
                .append(mpps(row.get("error999"))).append(" | ").append(num(row.get("mppsPerCore"), "%.3f"))
                .append(" | ").append(num(row.get("nsPerPacketPerCore"), "%.0f")).append(" | ")
                .append(num(row.get("bytesAllocatedPerPacket"), "%.3f")).append(" | ").append(row.get("threads"))
                .append(" | ").append(row.get("loadAverageBefore")).append(" -> ").append(row.get("loadAverageAfter"))
                .append(" |\n");
        }
        if (!any) {
            md.append("| not measured (see Problems) | | | | | | | |\n");
        }
        if (svg != null) {
            md.append("\n![").append(title).append("](").append(svg).append(")\n");
        }
    }

    private static String mpps(Object packetsPerSecond) {
        return packetsPerSecond instanceof Number number
            ? String.format(Locale.ROOT, "%.3f", number.doubleValue() / 1e6) : "n/a";
    }

    private static String micros(Object nanos) {
        return nanos instanceof Number number ? String.format(Locale.ROOT, "%.1f", number.doubleValue() / 1e3) : "n/a";
    }

    static String num(Object value, String pattern) {
        if (value instanceof Number number) {
            double d = number.doubleValue();
            if (Double.isNaN(d)) {
                return "n/a";
            }
            if (d == Math.rint(d) && Math.abs(d) < 1e15 && !pattern.contains(".3f")) {
                return String.format(Locale.ROOT, "%,d", (long) d);
            }
            return String.format(Locale.ROOT, pattern, d);
        }
        return String.valueOf(value);
    }
}
