package io.softgate.service.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.service.intent.CompiledIntent;
import io.softgate.service.intent.IntentCompiler;
import io.softgate.service.intent.IntentDocument;
import io.softgate.service.intent.IntentError;
import io.softgate.service.intent.IntentModuleAdapter;
import io.softgate.service.intent.IntentPersistence;
import io.softgate.service.intent.IntentValidator;
import io.softgate.service.pipeline.ServicePipeline;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the time of {@link IntentApplyBenchmark}'s apply goes, phase by phase, with thread CPU
 * time beside wall time (the build machine is shared, so wall time mostly measures the other
 * tenants): JSON parse and binding, validation, resolution, each module adapter's compile, the
 * persistence (write, fsync, rename) and the snapshot publish; and the bytes each phase allocates
 * (garbage the data-plane workers share a collector with). Runs the same document
 * and then {@code rounds - 1} one-rule changes of it in one JVM; round 1 is the cold
 * (first-request) case; the last lines give each phase's best thread CPU time from round 3 on.
 * Run: {@code java -Xmx3g -cp <test classpath> io.softgate.service.api.IntentApplyPhases [rounds] [distinct]}
 * ({@code distinct}: every LB service has its own backends, as in {@link IntentApplyBenchmark}).
 *
 * <p>Threading: a program; everything runs on its main thread.
 */
public final class IntentApplyPhases {
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean SYSTEM =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private IntentApplyPhases() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        boolean distinct = java.util.Arrays.asList(args).contains("distinct");
        Path state = Files.createTempDirectory("softgate-phases");
        try (ApiFixture api = new ApiFixture(state)) {
            com.fasterxml.jackson.databind.node.ObjectNode original = IntentApplyBenchmark.document(api, distinct);
            Map<String, Long> best = new LinkedHashMap<>();
            IntentCompiler compiler = api.api.store().compiler();
            IntentPersistence persistence = new IntentPersistence(state.resolve("phases"));
            System.out.printf("load average %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
            com.fasterxml.jackson.databind.ObjectMapper reader = JsonBody.STRICT.copy()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
            for (int round = 1; round <= rounds; round++) {
                // Round 1 applies the document; every later round is a one-rule change of it (one
                // port forward moves back and forth), as the benchmark's second request.
                com.fasterxml.jackson.databind.node.ObjectNode changed = original.deepCopy();
                if (round > 1) {
                    ((com.fasterxml.jackson.databind.node.ObjectNode) changed.get("nats").get(1))
                        .put("destinationPort", Integer.toString(round % 2 == 0 ? 998 : 999));
                }
                byte[] body = changed.toString().getBytes(StandardCharsets.UTF_8);
                Map<String, long[]> phases = new LinkedHashMap<>();
                // As the server reads a config apply: bound straight from the bytes, no JSON tree.
                IntentDocument document = time(phases, "json read + bind", () -> reader.readValue(body, IntentDocument.class));
                List<IntentError> errors = time(phases, "validate", () -> IntentValidator.validate(document));
                if (!errors.isEmpty()) {
                    throw new IllegalStateException("document does not validate: " + errors.subList(0, Math.min(5, errors.size())));
                }
                CompiledIntent resolved = time(phases, "resolve", () -> IntentCompiler.resolve(document));
                ConfigSnapshot.Builder builder = time(phases, "base (config file)", () -> ServicePipeline.compile(api.config)
                    .with(CompiledIntent.SLOT, resolved));
                for (IntentModuleAdapter adapter : compiler.adapters()) {
                    List<IntentError> contributed = time(phases, "adapter " + adapter.module(), () -> adapter.contribute(resolved, builder));
                    if (!contributed.isEmpty()) {
                        throw new IllegalStateException(adapter.module() + ": " + contributed.subList(0, Math.min(5, contributed.size())));
                    }
                }
                time(phases, "persist", () -> {
                    persistence.save(document);
                    return null;
                });
                // The service's sink: the composer applies the LB configuration to its controller
                // (validation, health set, Maglev tables) and publishes.
                time(phases, "commit (LB tables, publish)", () -> api.composer.commit(builder));
                long cpu = 0;
                long wall = 0;
                long process = 0;
                long allocated = 0;
                StringBuilder line = new StringBuilder("round " + round + ":");
                for (Map.Entry<String, long[]> phase : phases.entrySet()) {
                    cpu += phase.getValue()[0];
                    wall += phase.getValue()[1];
                    process += phase.getValue()[2];
                    allocated += phase.getValue()[3];
                    line.append(String.format("%n  %-22s thread cpu %8.1f ms  process cpu %8.1f ms  wall %8.1f ms  allocated %7.1f MB",
                        phase.getKey(), phase.getValue()[0] / 1e6, phase.getValue()[2] / 1e6, phase.getValue()[1] / 1e6,
                        phase.getValue()[3] / 1e6));
                }
                line.append(String.format("%n  %-22s thread cpu %8.1f ms  process cpu %8.1f ms  wall %8.1f ms  allocated %7.1f MB",
                    "TOTAL", cpu / 1e6, process / 1e6, wall / 1e6, allocated / 1e6));
                System.out.println(line);
                if (round >= 3) {
                    for (Map.Entry<String, long[]> phase : phases.entrySet()) {
                        best.merge(phase.getKey(), phase.getValue()[0], Math::min);
                    }
                    best.merge("TOTAL", cpu, Math::min);
                }
            }
            StringBuilder summary = new StringBuilder("best thread CPU of rounds 3.." + rounds + " (one-rule changes, warm):");
            for (Map.Entry<String, Long> phase : best.entrySet()) {
                summary.append(String.format("%n  %-28s %8.1f ms", phase.getKey(), phase.getValue() / 1e6));
            }
            System.out.println(summary);
        }
    }

    /** One timed step. */
    @FunctionalInterface
    private interface Step<T> {
        T run() throws Exception;
    }

    private static <T> T time(Map<String, long[]> phases, String name, Step<T> step) throws Exception {
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        long processStart = SYSTEM.getProcessCpuTime();
        long allocatedStart = THREADS.getCurrentThreadAllocatedBytes();
        long wallStart = System.nanoTime();
        T result = step.run();
        phases.put(name, new long[] {THREADS.getCurrentThreadCpuTime() - cpuStart, System.nanoTime() - wallStart,
            SYSTEM.getProcessCpuTime() - processStart, THREADS.getCurrentThreadAllocatedBytes() - allocatedStart});
        return result;
    }
}
