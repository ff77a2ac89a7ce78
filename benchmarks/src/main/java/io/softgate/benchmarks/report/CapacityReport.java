package io.softgate.benchmarks.report;

import io.softgate.benchmarks.PipelineBenchmark;
import io.softgate.benchmarks.pipeline.PipelineScenario;
import io.softgate.benchmarks.pipeline.PipelineWorld;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The capacity report (issue 10): runs the JMH suites with fixed settings through the JMH
 * {@link Runner} API with {@code -prof gc}, measures memory per session and per VPC, compares
 * garbage collectors on per-batch p99.9 latency in child JVMs, and writes {@code report.md},
 * {@code report.json} and two SVG plots (throughput against sessions, against rules).
 *
 * <pre>
 * benchmarks/capacity-report.sh [--out DIR] [--quick] [--skip-gc] [--skip-stage-suites]
 * </pre>
 *
 * <p>Threading: a command-line program on one thread (JMH and the GC probes run in child JVMs).
 */
public final class CapacityReport {
    static final int FORKS = 1;
    static final String PIPELINE_FORWARD = "^" + Pattern.quote(PipelineBenchmark.class.getName()) + "\\.forward$";
    static final String PIPELINE_RECEIVE = "^" + Pattern.quote(PipelineBenchmark.class.getName()) + "\\.receiveOnly$";
    /** The reference point every sweep varies one knob from. */
    static final int REF_SESSIONS = 100_000;
    static final int REF_RULES = 100;
    static final int REF_VPCS = 1;
    static final int REF_PACKET_BYTES = 64;
    static final String[] GC_FLAGS = {"-XX:+UseG1GC", "-XX:+UseParallelGC", "-XX:+UseZGC", "-XX:+UseShenandoahGC",
        "-XX:+UseSerialGC"};

    private final Path out;
    private final boolean quick;
    private final int warmupIterations;
    private final int measurementIterations;
    private final List<Map<String, Object>> measurements = new ArrayList<>();
    private final List<Map<String, Object>> suites = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    CapacityReport(Path out, boolean quick) {
        this.out = out;
        this.quick = quick;
        this.warmupIterations = quick ? 2 : 3;
        this.measurementIterations = quick ? 3 : 5;
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Map<String, String> options = GcLatencyProbe.parse(args);
        if (options.containsKey("help")) {
            System.out.println("usage: capacity-report.sh [--out DIR] [--quick] [--skip-gc] [--skip-stage-suites]");
            return;
        }
        Path out = Path.of(options.getOrDefault("out", "benchmarks/target/capacity-report"));
        Files.createDirectories(out);
        CapacityReport report = new CapacityReport(out, options.containsKey("quick"));
        report.run(!options.containsKey("skip-gc"), !options.containsKey("skip-stage-suites"));
    }

    void run(boolean gc, boolean stageSuites) throws IOException, InterruptedException {
        Instant started = Instant.now();
        MachineDescription machine = MachineDescription.read();
        log("machine: " + machine.fields());

        int[] sessions = quick ? new int[] {1_000, 100_000} : new int[] {1_000, 10_000, 100_000, 1_000_000};
        int[] rules = quick ? new int[] {10, 10_000} : new int[] {10, 100, 1_000, 10_000, 100_000};
        int[] vpcs = quick ? new int[] {1, 100_000} : new int[] {1, 1_000, 65_535, 100_000};
        int[] packetBytes = quick ? new int[] {64, 1514} : new int[] {64, 512, 1514};
        pipeline("sessions", PIPELINE_FORWARD, strings(sessions), str(REF_RULES), str(REF_VPCS), str(REF_PACKET_BYTES), 1);
        pipeline("rules", PIPELINE_FORWARD, str(10_000), strings(rules), str(REF_VPCS), str(REF_PACKET_BYTES), 1);
        pipeline("vpcs", PIPELINE_FORWARD, str(REF_SESSIONS), str(10), strings(vpcs), str(REF_PACKET_BYTES), 1);
        pipeline("packetBytes", PIPELINE_FORWARD, str(REF_SESSIONS), str(REF_RULES), str(REF_VPCS), strings(packetBytes), 1);
        pipeline("workers", PIPELINE_FORWARD, str(REF_SESSIONS), str(REF_RULES), str(REF_VPCS), str(REF_PACKET_BYTES), 2);
        pipeline("receiveOnly", PIPELINE_RECEIVE, str(REF_SESSIONS), str(REF_RULES), str(REF_VPCS), strings(packetBytes), 1);
        if (stageSuites) {
            stage("FlowTableBenchmark.lookupHitBatch", Map.of("implementation", "FlowTable", "entries", "1000000"));
            stage("ForwardingBenchmark.forward", Map.of("routeCount", "100000"));
            stage("AclBenchmark.classify", Map.of("ruleCount", "1000"));
            stage("NatBenchmark.establishedFastPath", Map.of());
            stage("LoadBalancerBenchmark.vipEstablished", Map.of("connections", "1000000"));
        }
        Map<String, Object> sessionMemory = sessionMemory();
        log("memory per session: " + sessionMemory);
        Map<String, Object> vpcMemory = VpcMemoryProbe.measure(100_000, 10, REF_SESSIONS, quick ? 4_000 : 10_000);
        List<Object> cpuTime = List.of(vpcMemory.remove("cpuTimeAtOneVpc"), vpcMemory.remove("cpuTimeAtManyVpcs"));
        log("memory per VPC: " + vpcMemory);
        log("CPU time per packet: " + cpuTime);
        List<Map<String, Object>> gcResults = gc ? gcComparison() : List.of();

        Map<String, Object> methodology = methodology(started);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("generatedAt", started.truncatedTo(ChronoUnit.SECONDS).toString());
        json.put("durationSeconds", Duration.between(started, Instant.now()).toSeconds());
        json.put("machine", machine.fields());
        json.put("methodology", methodology);
        json.put("headline", headline());
        json.put("pipeline", measurements);
        json.put("stageSuites", suites);
        json.put("memoryPerSession", sessionMemory);
        json.put("memoryPerVpc", vpcMemory);
        json.put("vpcScaling", vpcVerdict());
        json.put("vpcScalingCpuTime", cpuTime);
        json.put("gcComparison", gcResults);
        json.put("gcChoice", GcChoice.choose(gcResults));
        json.put("problems", problems);
        Files.writeString(out.resolve("report.json"), Json.write(json));
        Files.writeString(out.resolve("throughput-vs-sessions.svg"), plot("sessions", "Throughput against established sessions",
            "sessions (log scale)"));
        Files.writeString(out.resolve("throughput-vs-rules.svg"), plot("rules", "Throughput against ACL rules per VPC",
            "ACL rules in the packet's VPC (log scale)"));
        Files.writeString(out.resolve("report.md"), ReportMarkdown.render(json));
        log("wrote " + out.toAbsolutePath() + "/report.md, report.json, throughput-vs-sessions.svg, throughput-vs-rules.svg in "
            + Duration.between(started, Instant.now()).toSeconds() + " s");
    }

    private static String[] strings(int[] values) {
        return Arrays.stream(values).mapToObj(Integer::toString).toArray(String[]::new);
    }

    private static String[] str(int value) {
        return new String[] {Integer.toString(value)};
    }

    private ChainedOptionsBuilder options(String include) {
        // jvmArgs replaces the default (this JVM's own -Xms/-Xmx); each benchmark's @Fork jvmArgsAppend still applies.
        return new OptionsBuilder().include(include).forks(FORKS).jvmArgs("-Dsoftgate.capacity-report=true")
            .warmupIterations(warmupIterations).warmupTime(TimeValue.seconds(1))
            .measurementIterations(measurementIterations).measurementTime(TimeValue.seconds(1))
            .addProfiler(GCProfiler.class).shouldFailOnError(true)
            .output(out.resolve("jmh.log").toString() + "." + suites.size() + "-" + measurements.size());
    }

    private void pipeline(String sweep, String include, String[] sessions, String[] rules, String[] vpcs,
                          String[] packetBytes, int threads) {
        String loadBefore = MachineDescription.loadAverage();
        log("pipeline sweep " + sweep + " (load average " + loadBefore + ")");
        ChainedOptionsBuilder options = options(include).threads(threads)
            .param("sessions", sessions).param("rules", rules).param("vpcs", vpcs).param("packetBytes", packetBytes);
        try {
            for (RunResult result : new Runner(options.build()).run()) {
                Map<String, Object> row = row(result);
                row.put("sweep", sweep);
                row.put("loadAverageBefore", loadBefore);
                row.put("loadAverageAfter", MachineDescription.loadAverage());
                measurements.add(row);
                log("  " + row);
            }
        } catch (RunnerException | RuntimeException e) {
            problems.add("pipeline sweep " + sweep + " failed: " + e);
            log("  FAILED: " + e);
        }
    }

    private void stage(String benchmark, Map<String, String> params) {
        String loadBefore = MachineDescription.loadAverage();
        log("stage suite " + benchmark + " (load average " + loadBefore + ")");
        ChainedOptionsBuilder options = options("^" + Pattern.quote("io.softgate.benchmarks." + benchmark) + "$");
        params.forEach((name, value) -> options.param(name, value));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("benchmark", benchmark);
        row.put("params", params);
        try {
            Collection<RunResult> results = new Runner(options.build()).run();
            for (RunResult result : results) {
                row.putAll(row(result));
            }
        } catch (NoBenchmarksException e) {
            row.put("missing", "not in this build of benchmarks.jar");
        } catch (RunnerException | RuntimeException e) {
            row.put("missing", "failed: " + e.getMessage());
            problems.add("stage suite " + benchmark + " failed: " + e);
        }
        row.put("loadAverageBefore", loadBefore);
        suites.add(row);
        log("  " + row);
    }

    private static Map<String, Object> row(RunResult result) {
        BenchmarkParams params = result.getParams();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("benchmark", params.getBenchmark().replace("io.softgate.benchmarks.", ""));
        Map<String, Object> values = new LinkedHashMap<>();
        for (String key : params.getParamsKeys()) {
            values.put(key, params.getParam(key));
        }
        row.put("params", values);
        int threads = params.getThreads();
        double score = result.getPrimaryResult().getScore();
        double error = result.getPrimaryResult().getScoreError();
        row.put("threads", threads);
        row.put("packetsPerSecond", score);
        row.put("error999", error);
        row.put("mppsPerCore", score / threads / 1e6);
        row.put("nsPerPacketPerCore", threads * 1e9 / score);
        row.put("bytesAllocatedPerPacket", secondary(result, "gc.alloc.rate.norm"));
        row.put("gcCount", secondary(result, "gc.count"));
        return row;
    }

    private static double secondary(RunResult result, String name) {
        Map<String, Result> secondary = result.getSecondaryResults();
        Result value = secondary.get(name);
        if (value == null) {
            value = secondary.get("\u00b7" + name);
        }
        return value == null ? Double.NaN : value.getScore();
    }

    private Map<String, Object> headline() {
        Map<String, Object> headline = new LinkedHashMap<>();
        for (Map<String, Object> row : measurements) {
            if (row.get("sweep").equals("packetBytes") && param(row, "packetBytes") == REF_PACKET_BYTES) {
                headline.put("scenario", "sessions=" + REF_SESSIONS + " rules=" + REF_RULES + " vpcs=" + REF_VPCS
                    + " packetBytes=" + REF_PACKET_BYTES + ", one worker");
                headline.put("mppsPerCore", row.get("mppsPerCore"));
                headline.put("nsPerPacket", row.get("nsPerPacketPerCore"));
                headline.put("bytesAllocatedPerPacket", row.get("bytesAllocatedPerPacket"));
            }
        }
        return headline;
    }

    private Map<String, Object> vpcVerdict() {
        double one = Double.NaN;
        double many = Double.NaN;
        int most = 0;
        for (Map<String, Object> row : measurements) {
            if (row.get("sweep").equals("vpcs")) {
                int vpcs = param(row, "vpcs");
                double score = (Double) row.get("packetsPerSecond");
                if (vpcs == 1) {
                    one = score;
                }
                if (vpcs >= most) {
                    most = vpcs;
                    many = score;
                }
            }
        }
        Map<String, Object> verdict = new LinkedHashMap<>();
        verdict.put("packetsPerSecondAtOneVpc", one);
        verdict.put("vpcs", most);
        verdict.put("packetsPerSecondAtMostVpcs", many);
        double ratio = many / one;
        verdict.put("ratio", ratio);
        verdict.put("withinTenPercent", !Double.isNaN(ratio) && ratio >= 0.9);
        return verdict;
    }

    static int param(Map<String, Object> row, String name) {
        @SuppressWarnings("unchecked")
        Map<String, Object> params = (Map<String, Object>) row.get("params");
        Object value = params.get(name);
        return value == null ? -1 : Integer.parseInt(value.toString());
    }

    private String plot(String sweep, String title, String xTitle) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        List<Double> error = new ArrayList<>();
        for (Map<String, Object> row : measurements) {
            if (row.get("sweep").equals(sweep)) {
                x.add((double) param(row, sweep));
                y.add((Double) row.get("packetsPerSecond") / 1e6);
                error.add((Double) row.get("error999") / 1e6);
            }
        }
        return new SvgPlot(title, xTitle, "Mpps, one worker (one core)")
            .series("full pipeline", toArray(x), toArray(y), toArray(error)).render();
    }

    private static double[] toArray(List<Double> values) {
        double[] array = new double[values.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = values.get(i);
        }
        return array;
    }

    /** Memory per session from the tables' own layout: bytes per entry, entries per session, sizing. */
    private Map<String, Object> sessionMemory() {
        Map<String, Object> memory = new LinkedHashMap<>();
        int sessions = REF_SESSIONS;
        try (PipelineWorld world = new PipelineWorld(new PipelineScenario(sessions, 10, 1, 64))) {
            long aclBytes = world.acl().flows().memoryBytes();
            int aclCapacity = world.acl().flows().capacity();
            memory.put("sessionsConfigured", sessions);
            memory.put("aclBytesPerEntry", world.acl().flows().bytesPerEntry());
            memory.put("aclEntriesPerSession", 1);
            memory.put("aclTableEntries", aclCapacity);
            memory.put("aclBytesPerSession", (double) aclBytes / sessions);
            memory.put("natSessionTableBytesPerSession", world.features().natBytesPerSession());
            memory.put("natAllTablesBytesPerSession", (double) world.features().natMemoryBytes() / sessions);
            memory.put("lbBytesPerEntry", world.features().lbBytesPerEntry());
            memory.put("lbEntriesPerConnection", 2);
            memory.put("lbBytesPerConnectionAtCapacity",
                (double) world.features().lbMemoryBytes() / (world.features().lbCapacity() / 4.0));
            memory.put("bytesPerSessionTotal", (double) (aclBytes + world.features().natMemoryBytes()) / sessions);
            memory.put("method", "FlowTable.memoryBytes() of each table as the benchmark sizes it (ACL: 2 slots per "
                + "session; NAT: sessions x 4 slots for the two session entries plus the EIM mapping table; LB: 4 slots "
                + "per connection), divided by the sessions configured; LB connections exist only for load-balanced "
                + "flows, so they are given per connection");
        }
        return memory;
    }

    private List<Map<String, Object>> gcComparison() throws IOException, InterruptedException {
        List<Map<String, Object>> results = new ArrayList<>();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("java.class.path");
        int seconds = quick ? 10 : 15;
        for (String flag : GC_FLAGS) {
            String loadBefore = MachineDescription.loadAverage();
            log("GC probe " + flag + " (load average " + loadBefore + ")");
            List<String> command = new ArrayList<>(List.of(java, flag, "-Xms2g", "-Xmx2g", "-XX:MaxDirectMemorySize=4g",
                "-cp", classPath, GcLatencyProbe.class.getName(), "--seconds", Integer.toString(seconds),
                "--warmup-seconds", "5", "--sessions", "100000", "--rules", "100", "--vpcs", "10",
                "--packet-bytes", "64", "--churn-mb-per-s", "64"));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("flag", flag);
            row.put("loadAverageBefore", loadBefore);
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String resultLine = null;
            StringBuilder tail = new StringBuilder();
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (line.startsWith(GcLatencyProbe.RESULT_PREFIX)) {
                        resultLine = line.substring(GcLatencyProbe.RESULT_PREFIX.length());
                    } else {
                        tail.append(line).append('\n');
                    }
                }
            }
            int exit = process.waitFor();
            if (exit != 0 || resultLine == null) {
                row.put("missing", "probe failed (exit " + exit + "): " + lastLines(tail.toString(), 3));
                problems.add("GC probe " + flag + " failed");
            } else {
                row.putAll(MiniJsonReader.readObject(resultLine));
            }
            results.add(row);
            log("  " + row);
        }
        return results;
    }

    private static String lastLines(String text, int count) {
        String[] lines = text.split("\n");
        return String.join(" | ", Arrays.asList(lines).subList(Math.max(0, lines.length - count), lines.length));
    }

    private Map<String, Object> methodology(Instant started) {
        Map<String, Object> methodology = new LinkedHashMap<>();
        methodology.put("command", "benchmarks/capacity-report.sh" + (quick ? " --quick" : ""));
        methodology.put("jmh", "JMH Runner API, forks " + FORKS + ", warm-up " + warmupIterations + " x 1 s, measurement "
            + measurementIterations + " x 1 s, -prof gc, throughput mode; error = 99.9 % confidence half-width");
        methodology.put("forkJvmArgs", "-Xms4g -Xmx4g -XX:MaxDirectMemorySize=12g (PipelineBenchmark @Fork); default collector (G1)");
        methodology.put("batch", PipelineWorld.BATCH_SIZE + " packets per worker duty cycle; one JMH operation = one "
            + "packet (@OperationsPerInvocation)");
        methodology.put("traffic", "VM -> internet UDP flows, VXLAN in and out; every flow's session established "
            + "before measuring; flows visited in a fixed shuffled order; receive writes each packet's 92 header bytes "
            + "into its frame (the payload is laid down once, like NIC DMA), transmit releases the frame");
        methodology.put("pipeline", "vxlan-decap -> acl-egress -> lb-reply -> nat44-in2out -> vrf-route -> vxlan-encap "
            + "inside Worker.doWork() (real Pipeline, snapshot adoption, counters, latency histogram); the NAT binds VPC "
            + "VRFs up to " + io.softgate.benchmarks.pipeline.PipelineFeatures.NAT_MAX_VRF + " (21-bit VRF in its keys), "
            + "VPCs above route to the internet untranslated");
        methodology.put("workers", "JMH threads, one Worker each, flows split by index modulo the worker count; "
            + "Mpps per core = packets/s / threads");
        methodology.put("pinning", "none: JMH threads are not pinned (taskset/isolcpus not used); on a quiet box run "
            + "under 'taskset -c <cores>' with isolated cores for the official figures");
        methodology.put("noise", "load average (1/5/15 min) recorded before and after every sweep; a load average above "
            + "the core count means other processes shared the cores and every figure is a lower bound");
        methodology.put("loadAverageAtStart", MachineDescription.loadAverage());
        methodology.put("startedAt", started.toString());
        methodology.put("quick", quick);
        return methodology;
    }

    private static void log(String message) {
        System.out.println("[capacity-report " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "] " + message);
    }

    static String format(double value, String pattern) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, pattern, value);
    }
}
