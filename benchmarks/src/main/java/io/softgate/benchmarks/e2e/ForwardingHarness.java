package io.softgate.benchmarks.e2e;

import io.softgate.io.xdp.XdpPacketIoBackend;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * End-to-end forwarding harness (issue 8, "Done when" 3). A traffic endpoint (generator and sink,
 * {@link TrafficEndpoint}) in namespace {@code <prefix>-hv} sends VPC traffic as VXLAN to the
 * gateway namespace {@code <prefix>-gw} and receives what comes back for the public VRF; the
 * gateway is, in turn, the Linux kernel (vxlan devices + routing + nftables SNAT, {@link Topology})
 * and the softgate service from the built distribution with each backend asked for (AF_XDP, UDP,
 * and "tun": AF_XDP on the fabric with the public VRF's traffic leaving through a TUN uplink, which
 * the kernel then routes into vx5900), running the real service pipeline with its NAT SNATing the
 * same flows ({@link SoftgateProcess}).
 *
 * <p>For each gateway and each inner frame size it measures the maximum forwarding rate, the same
 * way for every gateway (RFC 2285 §3.6.3, the highest forwarding rate over a sweep of offered
 * loads: an unpaced window at the maximum offered load, then paced steps, see {@link LoadSweep}),
 * then a window paced at half the MFR (latency at moderate load) and one at twice the MFR
 * ("overload"; passes when the forwarded rate stays >= 80 % of the MFR). Per window: offered and
 * forwarded packets/s at the sink, latency percentiles (HdrHistogram, send timestamp in the
 * payload, same host clock), gateway CPU seconds per million packets (see {@link Measurement}) and
 * the loss counters that moved ({@link DropCounters}).
 *
 * <p>Cores: the traffic endpoint's thread is pinned to CPU {@code --generator-cpu} (0), the
 * softgate JVM (all its threads) to {@code --gateway-cpu} (1) with taskset; for the kernel,
 * RPS steers gw0's receive processing (and so the whole forwarding job in softirq) to the gateway
 * CPU. In the softgate runs the veth delivery into gw0 (XDP program and copy into the softgate's
 * UMEM for AF_XDP, IP/UDP receive up to the socket for UDP) is raised by the generator's transmit
 * and runs in softirq on the generator's CPU; the softgate's transmit and the sink's receive run
 * on the gateway CPU inside the softgate's send calls.
 *
 * <p>Usage (root): {@code benchmarks/run-forwarding-harness.sh [--seconds S] [--backends af_xdp,udp,tun]
 * [--sizes 64,1400] [--busy-poll af_xdp,tun|none] [--out DIR]}.
 * Busy polling is off by default: on this veth in copy mode the softgate's AF_XDP socket gets no
 * NAPI id (SO_INCOMING_NAPI_ID 0, checked and reported per run), so its busy polling never polls
 * gw0, and gw0's deferral settings (napi_defer_hard_irqs 2, gro_flush_timeout 200 µs) then only
 * make gw0's receive wait for that timer in softirq on the generator's CPU.
 *
 * <p>Threading: the main thread orchestrates; the endpoint has its own thread; the softgate is
 * another process.
 */
public final class ForwardingHarness {
    private static final double OVERLOAD_FACTOR = 2.0;
    private static final double OVERLOAD_GOAL = 0.8;
    private static final long WARM_UP_MS = 1500;
    private static final long MAX_WARM_UP_MS = 20_000;

    private final Options options;
    private final List<Measurement> measurements = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final AtomicBoolean cleaned = new AtomicBoolean();
    private Topology topology;
    private TrafficEndpoint endpoint;
    private SoftgateProcess softgate;

    private ForwardingHarness(Options options) {
        this.options = options;
    }

    public static void main(String[] arguments) throws Exception {
        Options options = Options.parse(arguments);
        new ForwardingHarness(options).run();
    }

    private void run() throws Exception {
        XdpPacketIoBackend.builder().interfaceName("lo").vtepAddress("127.0.0.1").build().ensureAvailable();
        Files.createDirectories(options.out);
        Thread hook = new Thread(this::cleanUp, "harness-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        String startLoad = CpuAccounting.loadAverage();
        Instant started = Instant.now();
        System.out.printf("forwarding harness: namespaces %s-{hv,gw}, %s s per window, backends %s, sizes %s, busy poll %s,"
            + " load average %s%n", options.prefix, options.seconds, options.backends, options.sizes, options.busyPoll, startLoad);
        try {
            topology = new Topology(options.prefix);
            endpoint = new TrafficEndpoint(topology, options.generatorCpu);
            endpoint.start();
            topology.startKernelGateway(options.gatewayCpu);
            for (int size : options.sizes) {
                measureSize("kernel", size);
            }
            topology.stopKernelGateway();
            for (String backend : options.backends) {
                topology.steerReceive(-1);
                boolean busyPoll = options.busyPoll.contains(backend);
                topology.busyPollDevice(busyPoll, options.deferHardIrqs, options.groFlushTimeoutNs);
                if (backend.equals("tun")) {
                    topology.startTunUplinkRouting();
                }
                Path directory = options.out.resolve("softgate-" + backend);
                softgate = SoftgateProcess.start(options.distribution, topology, backend, busyPoll,
                    options.gatewayCpu, directory);
                if (backend.equals("tun")) {
                    topology.tunUplinkUp();
                }
                System.out.printf("softgate %s running (pid %d): %s%n", backend, softgate.pid(), runningLine(softgate.log()));
                for (int size : options.sizes) {
                    measureSize(backend, size);
                }
                List<String> napiIds = softgate.xdpSocketNapiIds();
                if (!napiIds.isEmpty()) {
                    // SO_INCOMING_NAPI_ID 0: the socket's busy polling has no queue to poll (inert).
                    String note = backend + " AF_XDP sockets (SO_INCOMING_NAPI_ID; 0 = busy polling inert, gw0's NAPI then"
                        + " runs in softirq on whichever CPU scheduled it): " + String.join(", ", napiIds)
                        + (busyPoll ? ", busy polling requested" : ", busy polling off");
                    notes.add(note);
                    System.out.println("  " + note);
                }
                softgate.close();
                notes.add(backend + " " + softgate.finalCounters());
                System.out.println("  " + backend + " " + softgate.finalCounters());
                softgate = null;
                topology.busyPollDevice(false, 0, 0);
                if (backend.equals("tun")) {
                    topology.stopTunUplinkRouting();
                }
            }
            long[] stats = endpoint.socketStatistics();
            notes.add(String.format(Locale.ROOT, "sink socket (hv0) over the whole run: rx_dropped %d, rx_ring_full %d,"
                + " rx_fill_ring_empty %d, wrong packets %d", stats[0], stats[3], stats[4], endpoint.wrong()));
        } finally {
            cleanUp();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        Report report = new Report(measurements, notes, options, started, startLoad, CpuAccounting.loadAverage());
        report.print(System.out);
        report.write(options.out);
        System.out.println("report: " + options.out.resolve("summary.md") + " and " + options.out.resolve("summary.json"));
    }

    private static String runningLine(String log) {
        int at = log.indexOf("running: VTEP");
        int end = at < 0 ? -1 : log.indexOf('\n', at);
        return at < 0 ? "" : log.substring(at, end < 0 ? log.length() : end);
    }

    /**
     * The maximum forwarding rate of one gateway at one inner size (see {@link LoadSweep}: the
     * unpaced MOL window, then paced steps), then half-load latency at MFR / 2 and the overload
     * test at 2 x MFR.
     */
    private void measureSize(String path, int size) throws Exception {
        endpoint.innerBytes(size);
        endpoint.rate(0);
        // Warm-up: NAT sessions / conntrack entries exist, and the softgate's JIT has compiled the
        // hot path (its compiler threads share the softgate's core: a first window measured while
        // they ran read up to half the rate of later ones).
        if (softgate == null) {
            Thread.sleep(WARM_UP_MS);
        } else {
            long waited = softgate.awaitJitQuiet(WARM_UP_MS, MAX_WARM_UP_MS);
            System.out.printf("  %s %d B: warm-up %.1f s (until the JIT compiler threads went quiet)%n", path, size,
                waited / 1e3);
        }
        LoadSweep sweep = new LoadSweep();
        Measurement mol = window(path, size, "mol", 0);
        double intended = sweep.first(mol.offered(), mol.forwarded(), mol.seconds());
        while (intended > 0) {
            Measurement step = window(path, size, "sweep", intended);
            intended = sweep.next(intended, step.offered(), step.forwarded(), step.seconds());
        }
        double mfr = Math.max(1000, sweep.bestForwardedPps());
        window(path, size, "half-load", mfr / 2);
        window(path, size, "overload", mfr * OVERLOAD_FACTOR);
        endpoint.rate(1); // quiet between sizes and paths
        Thread.sleep(300);
    }

    private Measurement window(String path, int size, String kind, double targetPps) throws Exception {
        endpoint.rate(targetPps);
        Thread.sleep(700); // let queues settle at the new rate
        Map<String, Long> dropsBefore = DropCounters.sample(topology, endpoint, softgate);
        endpoint.takeLatency();
        long sentBefore = endpoint.sent();
        long receivedBefore = endpoint.received();
        long wrongBefore = endpoint.wrong();
        long softgateBefore = softgate == null ? 0 : softgate.cpuNs();
        long softgateSystemBefore = softgate == null ? 0 : softgate.systemCpuNs();
        long compilerBefore = softgate == null ? 0 : softgate.compilerCpuNs();
        long harnessBefore = CpuAccounting.processCpuNs(ProcessHandle.current().pid());
        CpuAccounting.MachineSample machineBefore = CpuAccounting.machine();
        long startNs = System.nanoTime();
        Thread.sleep((long) (options.seconds * 1000));
        long elapsedNs = System.nanoTime() - startNs;
        long sent = endpoint.sent() - sentBefore;
        long received = endpoint.received() - receivedBefore;
        var latency = endpoint.takeLatency();
        CpuAccounting.MachineSample machineAfter = CpuAccounting.machine();
        long softgateNs = softgate == null ? 0 : softgate.cpuNs() - softgateBefore;
        long softgateSystemNs = softgate == null ? 0 : softgate.systemCpuNs() - softgateSystemBefore;
        long compilerNs = softgate == null ? 0 : softgate.compilerCpuNs() - compilerBefore;
        long harnessNs = CpuAccounting.processCpuNs(ProcessHandle.current().pid()) - harnessBefore;
        Map<String, Long> drops = DropCounters.delta(dropsBefore, DropCounters.sample(topology, endpoint, softgate));
        Measurement measurement = new Measurement(path, size, kind, targetPps, elapsedNs / 1e9, sent, received,
            endpoint.wrong() - wrongBefore, latency, softgateNs / 1e9, softgateSystemNs / 1e9, compilerNs / 1e9,
            machineAfter.softirqSecondsSince(machineBefore), machineAfter.busySecondsSince(machineBefore), harnessNs / 1e9,
            CpuAccounting.loadAverage(), drops);
        measurements.add(measurement);
        System.out.println(measurement.describe());
        return measurement;
    }

    /** Stops what this run started (softgate by its PID, the endpoint's socket) and deletes the namespaces. Idempotent. */
    private void cleanUp() {
        if (!cleaned.compareAndSet(false, true)) {
            return;
        }
        if (softgate != null) {
            try {
                softgate.close();
            } catch (IOException | RuntimeException e) {
                System.err.println("stopping the softgate: " + e);
            }
        }
        if (endpoint != null) {
            try {
                endpoint.stop();
            } catch (InterruptedException | RuntimeException e) {
                System.err.println("stopping the traffic endpoint: " + e);
            }
        }
        if (topology != null) {
            topology.close();
        }
    }

    /**
     * Command-line options.
     *
     * <p>Threading: immutable after parsing.
     */
    static final class Options {
        double seconds = 3;
        List<String> backends = List.of("af_xdp", "udp", "tun");
        List<Integer> sizes = List.of(64, 1400);
        /** Backends run with busy polling (off by default: inert on this veth, see the class comment). */
        List<String> busyPoll = List.of();
        /** gw0's napi_defer_hard_irqs and gro_flush_timeout when a backend busy-polls (BUILD-FACTS: 2, 200 µs). */
        int deferHardIrqs = 2;
        long groFlushTimeoutNs = 200_000;
        int generatorCpu = 0;
        int gatewayCpu = 1;
        Path out = Path.of("benchmarks/target/e2e");
        Path distribution = Path.of("packaging/target/softgate");
        String prefix = "sge2e" + Long.toString(ProcessHandle.current().pid(), 36)
            + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36), 36);

        static Options parse(String[] arguments) {
            Options options = new Options();
            for (int i = 0; i < arguments.length; i++) {
                String argument = arguments[i];
                switch (argument) {
                    case "--seconds" -> options.seconds = Double.parseDouble(arguments[++i]);
                    case "--backends" -> options.backends = List.of(arguments[++i].split(","));
                    case "--sizes" -> {
                        List<Integer> sizes = new ArrayList<>();
                        for (String size : arguments[++i].split(",")) {
                            int bytes = Integer.parseInt(size);
                            if (bytes < 64 || bytes > 1436) {
                                throw new IllegalArgumentException("inner sizes must be 64..1436 bytes: " + bytes);
                            }
                            sizes.add(bytes);
                        }
                        options.sizes = sizes;
                    }
                    case "--busy-poll" -> {
                        String value = arguments[++i];
                        options.busyPoll = value.equals("none") ? List.of() : List.of(value.split(","));
                    }
                    case "--napi-defer-hard-irqs" -> options.deferHardIrqs = Integer.parseInt(arguments[++i]);
                    case "--gro-flush-timeout-ns" -> options.groFlushTimeoutNs = Long.parseLong(arguments[++i]);
                    case "--generator-cpu" -> options.generatorCpu = Integer.parseInt(arguments[++i]);
                    case "--gateway-cpu" -> options.gatewayCpu = Integer.parseInt(arguments[++i]);
                    case "--out" -> options.out = Path.of(arguments[++i]);
                    case "--distribution" -> options.distribution = Path.of(arguments[++i]);
                    case "--prefix" -> options.prefix = arguments[++i];
                    default -> throw new IllegalArgumentException("unknown option " + argument
                        + " (--seconds S --backends af_xdp,udp,udp-separate,tun --sizes 64,1400 --busy-poll af_xdp,tun|none --generator-cpu N --gateway-cpu N"
                        + " --napi-defer-hard-irqs N --gro-flush-timeout-ns NS --out DIR --distribution DIR --prefix NAME)");
                }
            }
            for (String backend : options.backends) {
                if (!backend.equals("af_xdp") && !backend.equals("udp") && !backend.equals("udp-separate")
                    && !backend.equals("tun")) {
                    throw new IllegalArgumentException("backends are af_xdp, udp (worker-driven socket), udp-separate"
                        + " (Netty event loop thread) and tun (AF_XDP fabric + TUN uplink): " + backend);
                }
            }
            if (options.prefix.length() > 12) {
                throw new IllegalArgumentException("--prefix: at most 12 characters");
            }
            return options;
        }

        Map<String, String> describe() {
            Map<String, String> map = new LinkedHashMap<>();
            map.put("secondsPerWindow", Double.toString(seconds));
            map.put("backends", String.join(",", backends));
            map.put("innerSizes", sizes.toString());
            map.put("busyPoll", busyPoll.isEmpty() ? "none" : String.join(",", busyPoll)
                + " (gw0 napi_defer_hard_irqs " + deferHardIrqs + ", gro_flush_timeout " + groFlushTimeoutNs + " ns)");
            map.put("generatorCpu", Integer.toString(generatorCpu));
            map.put("gatewayCpu", Integer.toString(gatewayCpu));
            map.put("namespaces", prefix + "-hv, " + prefix + "-gw");
            map.put("jvm", ManagementFactory.getRuntimeMXBean().getVmName() + " "
                + ManagementFactory.getRuntimeMXBean().getVmVersion());
            return map;
        }
    }
}
