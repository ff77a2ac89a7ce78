package io.softgate.service.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.softgate.core.pipeline.Worker;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;

/**
 * Issue 7 "Done when" 4, as a program (not a unit test: it measures time): one
 * {@code PUT /api/softgate/config} carrying 10,000 NAT rules (100 VPCs x (1 SNAT + 99 port
 * forwards)) and 1,000 L4LB services (two backends each), against the real server in a fresh JVM,
 * while one worker keeps forwarding VXLAN packets on its own thread. Prints the server-side
 * compile+persist+swap time (wall and the applying thread's CPU time), the request's wall time,
 * the worker's per-batch latency (p99, p99.9, max) during the apply, and then the same for a
 * one-rule change of that document. Argument {@code distinct}: every service gets its own
 * backends (by default the ten services of a VPC share its pair, so only 100 Maglev tables differ).
 * Then {@code steady=N} (default 10) more one-rule changes and their median: the steady state,
 * once the apply's code is compiled by the JIT.
 * The API starts as in the service: the worker already forwards, and the start-up warm-up
 * ({@code api.warmUp}) runs before the API listens; argument {@code nowarmup} turns it off.
 * Run: {@code java -Xmx3g -cp <test classpath> io.softgate.service.api.IntentApplyBenchmark [distinct] [nowarmup] [steady=N]}.
 */
public final class IntentApplyBenchmark {
    private IntentApplyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        boolean distinct = java.util.Arrays.asList(args).contains("distinct");
        // As the service starts: the worker forwards before the API starts (and warms up, unless nowarmup).
        boolean warmUp = !java.util.Arrays.asList(args).contains("nowarmup");
        Path state = Files.createTempDirectory("softgate-bench");
        AtomicBoolean running = new AtomicBoolean(true);
        Thread[] forwardingThread = new Thread[1];
        BatchLatency[] batchLatency = new BatchLatency[1];
        long startNs = System.nanoTime();
        try (ApiFixture api = new ApiFixture(state, ApiFixture.CONFIG, () -> null,
            warmUp ? ApiSettings.DEFAULT_WARM_UP_CPU_BUDGET_NS : 0, fixture -> {
            Worker worker = fixture.runtime.workers().get(0);
            byte[] frame = VxlanFrames.udp(10_000, VxlanFrames.address(10, 255, 0, 11), VxlanFrames.address(10, 255, 0, 1),
                VxlanFrames.address(10, 0, 1, 10), VxlanFrames.address(192, 0, 2, 99));
            batchLatency[0] = new BatchLatency(fixture.runtime.workers());
            Thread forwarding = new Thread(() -> {
                // Daemon: a failed apply must not leave the JVM running.
                while (running.get()) {
                    for (int i = 0; i < 32; i++) {
                        fixture.ports.get(0).inject(frame);
                    }
                    worker.doWork();
                }
            }, "bench-worker");
            forwarding.setDaemon(true);
            forwarding.start();
            forwardingThread[0] = forwarding;
        })) {
            long startedNs = System.nanoTime() - startNs;
            Thread forwarding = forwardingThread[0];
            BatchLatency latency = batchLatency[0];
            ObjectNode document = document(api, distinct);
            String body = document.toString();
            io.softgate.service.intent.IntentWarmUp.Result warm = api.api.warmUpResult();
            System.out.printf("fixture with the API started in %.0f ms; warm-up: %s%n", startedNs / 1e6, warm == null ? "off"
                : String.format("%d applies (%d rounds of %d NAT rules, %d LB services) in %.0f ms wall, %.0f ms CPU%s",
                    warm.applies(), warm.rounds(), warm.natRules(), warm.lbServices(), warm.wallNs() / 1e6, warm.cpuNs() / 1e6,
                    warm.failure() == null ? "" : ", FAILED: " + warm.failure()));
            // The API started (and warmed up) while the worker forwarded: its batches meanwhile.
            Histogram starting = latency.harvest();
            System.out.printf("  worker batches while the API started: %d, p99 %.1f us, p99.9 %.1f us, max %.1f us%n",
                starting.getTotalCount(), starting.getValueAtPercentile(99) / 1e3, starting.getValueAtPercentile(99.9) / 1e3,
                starting.getMaxValue() / 1e3);
            Thread.sleep(500);
            System.out.printf("load average %s; %s backends per service%n", Files.readString(Path.of("/proc/loadavg")).trim(),
                distinct ? "distinct" : "shared (one pair per VPC)");
            latency.harvest();
            Histogram before = latency.harvest();
            apply(api, "first apply (10,000 NAT rules, 1,000 LB services)", body, forwarding);
            Histogram during = latency.harvest();
            during.subtract(before);
            System.out.printf("  worker batches during the apply: %d, p99 %.1f us, p99.9 %.1f us, max %.1f us%n",
                during.getTotalCount(), during.getValueAtPercentile(99) / 1e3, during.getValueAtPercentile(99.9) / 1e3,
                during.getMaxValue() / 1e3);
            // A one-rule change of the same document: one port forward moves to another port.
            ObjectNode changed = document.deepCopy();
            ((ObjectNode) changed.get("nats").get(1)).put("destinationPort", "999");
            apply(api, "one-rule change", changed.toString(), forwarding);
            // Steady state: more one-rule changes (the port moves back and forth); the first ones
            // above ran cold code (interpreted, C1) and JIT compilations beside them.
            int steady = steadyRounds(args);
            double[][] figures = new double[steady][];
            for (int round = 0; round < steady; round++) {
                ((ObjectNode) changed.get("nats").get(1)).put("destinationPort", Integer.toString(round % 2 == 0 ? 998 : 999));
                figures[round] = apply(api, "one-rule change, steady round " + (round + 1), changed.toString(), forwarding);
            }
            if (steady > 0) {
                System.out.printf("steady one-rule change, median of %d: compile+persist+swap %.1f ms wall, %.1f ms CPU;"
                    + " request %.1f ms wall%n", steady, median(figures, 0), median(figures, 1), median(figures, 2));
            }
            running.set(false);
            forwarding.join();
        }
    }

    /** One PUT of {@code body}; prints its figures and returns {compile+persist+swap wall ms, its CPU ms, request wall ms}. */
    private static double[] apply(ApiFixture api, String what, String body, Thread forwarding) throws Exception {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean system =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long processCpuStart = system.getProcessCpuTime() - threads.getThreadCpuTime(forwarding.getId());
        ThreadCpuCensus censusBefore = ThreadCpuCensus.take();
        long startNs = System.nanoTime();
        HttpResponse<String> response = api.http.send(java.net.http.HttpRequest.newBuilder(api.uri("/api/softgate/config"))
            .timeout(java.time.Duration.ofMinutes(10)).header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + ApiFixture.TOKEN)
            .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        long wallNs = System.nanoTime() - startNs;
        long processCpuNs = system.getProcessCpuTime() - threads.getThreadCpuTime(forwarding.getId()) - processCpuStart;
        String census = ThreadCpuCensus.take().since(censusBefore);
        System.out.printf("%s: status %d, body %.1f MB%n", what, response.statusCode(), body.length() / 1e6);
        if (response.statusCode() != 200) {
            System.out.println(response.body().substring(0, Math.min(2000, response.body().length())));
        }
        System.out.printf("  compile+persist+swap %.1f ms wall, %.1f ms CPU of the applying thread; request wall %.1f ms,"
                + " process CPU but the forwarding thread %.1f ms (client, server, JIT, GC)%n",
            api.api.store().lastCompileAndSwapNs() / 1e6, api.api.store().lastCompileAndSwapCpuNs() / 1e6, wallNs / 1e6,
            processCpuNs / 1e6);
        io.softgate.service.intent.IntentStore.Timings steps = api.api.store().lastTimings();
        System.out.printf("  steps (wall): validate %.1f ms, compile %.1f ms (the write beside it), then waiting for the"
                + " write + rename %.1f ms, publish %.1f ms%n", steps.validateNs() / 1e6, steps.compileNs() / 1e6,
            steps.persistWaitNs() / 1e6, steps.publishNs() / 1e6);
        System.out.printf("  CPU by thread during the request: %s%n", census);
        return new double[] {api.api.store().lastCompileAndSwapNs() / 1e6, api.api.store().lastCompileAndSwapCpuNs() / 1e6,
            wallNs / 1e6};
    }

    /** {@code steady=N}: how many one-rule changes follow for the steady-state figure (default 10). */
    private static int steadyRounds(String[] args) {
        for (String arg : args) {
            if (arg.startsWith("steady=")) {
                return Integer.parseInt(arg.substring("steady=".length()));
            }
        }
        return 10;
    }

    private static double median(double[][] figures, int column) {
        double[] values = new double[figures.length];
        for (int i = 0; i < figures.length; i++) {
            values[i] = figures[i][column];
        }
        java.util.Arrays.sort(values);
        return values.length % 2 == 1 ? values[values.length / 2] : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    }

    static ObjectNode document(ApiFixture api) {
        return document(api, false);
    }

    /**
     * The benchmark document; with {@code distinctBackends} every LB service has its own two backends
     * (1,000 different Maglev tables to build), otherwise the services of a VPC share its pair.
     */
    static ObjectNode document(ApiFixture api, boolean distinctBackends) {
        ObjectNode doc = Envelope.MAPPER.valueToTree(api.api.store().current());
        int id = doc.get("nextId").asInt();
        int system = api.api.store().current().systemVpc().id();
        ArrayNode allocations = (ArrayNode) doc.get("allocations");
        ArrayNode subnets = (ArrayNode) doc.get("subnets");
        ArrayNode vpcs = (ArrayNode) doc.get("vpcs");
        ArrayNode vnets = (ArrayNode) doc.get("vnets");
        ArrayNode nats = (ArrayNode) doc.get("nats");
        ArrayNode lbs = (ArrayNode) doc.get("l4lbs");
        int publicAllocation = id++;
        allocations.addObject().put("id", publicAllocation).put("name", "public").put("prefix", "100.64.0.0/10").put("vpcId", system);
        subnets.addObject().put("id", id++).put("name", "nat").put("prefix", "100.64.0.0/16").put("purpose", "nat")
            .put("vpcId", system).put("allocationId", publicAllocation);
        subnets.addObject().put("id", id++).put("name", "lb").put("prefix", "100.65.0.0/16").put("purpose", "load-balancer")
            .put("vpcId", system).put("allocationId", publicAllocation);
        int[] vpcIds = new int[100];
        for (int v = 0; v < 100; v++) {
            int vpc = id++;
            vpcIds[v] = vpc;
            vpcs.addObject().put("id", vpc).put("name", "vpc" + v).put("adminTenantId", 1).put("system", false);
            allocations.addObject().put("id", id++).put("name", "vpc" + v + "-cidr").put("prefix", "10." + v + ".0.0/16").put("vpcId", vpc);
            ObjectNode vnet = vnets.addObject().put("id", id++).put("name", "vpc" + v + "-tier").put("vpcId", vpc).put("vxlanId", 10_000 + v);
            vnet.putArray("gateways").add("10." + v + ".1.1/24");
            nats.add(nat(id++, "vpc" + v + "-snat", "SNAT", "ALL", "10." + v + ".0.0/16", "0.0.0.0/0", null, "100.64.0." + (v + 1) + "/32", null, null, vpc));
            for (int k = 0; k < 99; k++) {
                nats.add(nat(id++, "vpc" + v + "-pf" + k, "DNAT", "TCP", "0.0.0.0/0", "100.64.1." + (v + 1) + "/32", Integer.toString(1000 + k),
                    null, "10." + v + ".1." + (10 + k) + "/32", 80, vpc));
            }
        }
        for (int s = 0; s < 1000; s++) {
            int v = s % 100;
            ObjectNode lb = lbs.addObject().put("id", id++).put("name", "lb" + s).put("protocol", "TCP")
                .put("ip", "100.65." + (s / 200) + "." + (s % 200 + 1)).put("port", 80).put("status", "enable")
                .put("healthCheck", "None").putNull("timeOut").putNull("requestPath").put("vpcId", vpcIds[v]);
            ArrayNode backends = lb.putArray("backends");
            int host = distinctBackends ? 10 + 2 * (s / 100) : 10;
            backends.addObject().put("ip", "10." + v + ".1." + host).put("port", 80);
            backends.addObject().put("ip", "10." + v + ".1." + (host + 1)).put("port", 80);
        }
        doc.put("nextId", id);
        return doc;
    }

    private static ObjectNode nat(int id, String name, String action, String protocol, String source, String destination,
                                  String destinationPort, String snatTo, String dnatTo, Integer dnatToPort, int vpc) {
        ObjectNode nat = Envelope.MAPPER.createObjectNode();
        nat.put("id", id).put("name", name).put("action", action).put("protocol", protocol).put("sourceAddress", source)
            .putNull("sourcePort").put("destinationAddress", destination).put("destinationPort", destinationPort)
            .put("snatToIp", snatTo).putNull("snatToPool").put("dnatToIp", dnatTo);
        if (dnatToPort == null) {
            nat.putNull("dnatToPort");
        } else {
            nat.put("dnatToPort", dnatToPort);
        }
        nat.put("state", "enabled").put("vpcId", vpc);
        return nat;
    }
}
