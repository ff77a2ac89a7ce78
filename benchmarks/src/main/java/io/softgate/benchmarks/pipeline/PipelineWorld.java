package io.softgate.benchmarks.pipeline;

import io.softgate.acl.classify.AclCompiler;
import io.softgate.acl.classify.AclTables;
import io.softgate.acl.model.AclConfig;
import io.softgate.acl.model.AclRule;
import io.softgate.acl.stage.AclFlowTimeouts;
import io.softgate.acl.stage.AclRuntime;
import io.softgate.acl.stage.AclStageFactory;
import io.softgate.core.io.PacketIo;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.packet.PacketBuilder;
import io.softgate.core.pipeline.NanoClock;
import io.softgate.core.pipeline.PipelineDefinition;
import io.softgate.core.pipeline.StageFactory;
import io.softgate.core.pipeline.Worker;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.core.snapshot.WorkerEpochs;
import io.softgate.evpn.forwarding.compiler.ForwardingCompiler;
import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.model.Ipv4Address;
import io.softgate.evpn.forwarding.model.Ipv4Prefix;
import io.softgate.evpn.forwarding.model.MacAddress;
import io.softgate.evpn.forwarding.model.NextHop;
import io.softgate.evpn.forwarding.model.NodeIntent;
import io.softgate.evpn.forwarding.model.RouteIntent;
import io.softgate.evpn.forwarding.model.RouteSource;
import io.softgate.evpn.forwarding.model.VrfIntent;
import io.softgate.evpn.forwarding.ForwardingFeature;
import io.softgate.evpn.forwarding.ForwardingPipeline;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import io.softgate.benchmarks.Permutations;
import java.util.SplittableRandom;

/**
 * A whole softgate data plane for benchmarks: {@code vpcs} tenant VPCs (one VRF and L3VNI each)
 * plus a public VRF, each VPC with the same {@link EgressAclRules} ACL, and {@code sessions}
 * established flows from VMs to the internet spread round-robin over the VPCs. A packet goes
 * {@code vxlan-decap -> acl-egress -> ... -> vrf-route -> vxlan-encap} (see
 * {@link PipelineFeatures} for the feature stages present), the real stages in a real
 * {@link Worker}, fed by {@link ReplayPacketIo}. Every flow is sent once at construction, so the
 * sessions, ACL return entries and caches exist before anything is measured.
 *
 * <p>Threading: build and {@link #close} on one thread; {@link #newWorker} may be called from
 * several threads (one per worker, each then owning its worker); tables are shared lock-free.
 */
public final class PipelineWorld implements AutoCloseable {
    /** Packets per batch (one worker duty cycle). */
    public static final int BATCH_SIZE = 256;
    /** Outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14 + IPv4 20 + UDP 8. */
    public static final int HEADER_BYTES = 92;
    /** Bytes VXLAN adds in front of the inner frame. */
    public static final int VXLAN_OVERHEAD_BYTES = 50;
    /** Largest number of workers one world serves (sizes the epoch table). */
    public static final int MAX_WORKERS = 64;

    static final String OUR_VTEP = "192.0.2.1";
    static final String OUR_ROUTER_MAC = "02:5f:00:00:00:01";
    static final String OUR_UNDERLAY_MAC = "02:5f:00:00:00:aa";
    static final String LEAF_MAC = "02:ee:00:00:00:01";
    static final String HYPERVISOR_VTEP = "192.0.2.200";
    static final String HYPERVISOR_MAC = "02:11:00:00:00:aa";
    static final String VM_MAC = "02:11:00:00:00:01";
    static final int PUBLIC_VNI = 9000;
    static final int FIRST_VPC_VNI = 100_000;
    static final int BORDER_VTEPS = 16;
    static final int PUBLIC_ROUTES = 1000;

    private final PipelineScenario scenario;
    private final SnapshotPublisher publisher;
    private final PipelineDefinition definition;
    private final PipelineFeatures features;
    private final AclRuntime acl;
    private final byte[] headers;
    private final long tableCompileNs;

    public PipelineWorld(PipelineScenario scenario) {
        this.scenario = scenario;
        long startNs = System.nanoTime();
        EgressAclRules aclRules = new EgressAclRules(scenario.rulesPerVpc(), 7);
        ForwardingTables forwarding = new ForwardingCompiler().compile(intent(scenario.vpcs()));
        Map<String, Integer> vrfByVpc = new HashMap<>();
        List<AclRule> rules = new ArrayList<>(scenario.rulesPerVpc() * scenario.vpcs());
        for (int v = 0; v < scenario.vpcs(); v++) {
            vrfByVpc.put(vpcName(v), vrfOfVpc(v));
            rules.addAll(aclRules.rules(vpcName(v)));
        }
        AclTables aclTables = AclCompiler.compile(AclConfig.of(rules), vrfByVpc);
        rules = null;
        int flowCapacity = Math.max(1024, scenario.sessions() * 2);
        this.acl = new AclRuntime(flowCapacity, AclFlowTimeouts.defaults());
        ConfigSnapshot.Builder snapshot = ConfigSnapshot.builder()
            .with(ForwardingTables.SLOT, forwarding)
            .with(AclTables.SLOT, aclTables);
        this.features = new PipelineFeatures(scenario, vrfByVpc);
        features.addTables(snapshot);
        this.tableCompileNs = System.nanoTime() - startNs;
        this.publisher = new SnapshotPublisher(new WorkerEpochs(MAX_WORKERS));
        publisher.publish(snapshot);

        ForwardingPipeline.Builder graph = ForwardingPipeline.builder().feature(new ForwardingFeature() {
            @Override
            public String entryStage() {
                return AclStageFactory.EGRESS;
            }

            @Override
            public List<StageFactory> stages(String nextStage) {
                return List.of(new AclStageFactory(AclStageFactory.EGRESS, nextStage, acl));
            }
        });
        features.addStages(graph);
        this.definition = graph.build();
        this.headers = flowHeaders(scenario, aclRules);
        establish();
    }

    static String vpcName(int vpc) {
        return "vpc-" + vpc;
    }

    /** Compiled VRF index of VPC {@code vpc} (0 is the public VRF). */
    static int vrfOfVpc(int vpc) {
        return vpc + 1;
    }

    private static ForwardingIntent intent(int vpcs) {
        NodeIntent node = NodeIntent.of(OUR_VTEP, OUR_ROUTER_MAC, OUR_UNDERLAY_MAC, LEAF_MAC)
            .withUnderlayMtuBytes(9000);
        List<VrfIntent> vrfs = new ArrayList<>(vpcs + 1);
        List<RouteIntent> routes = new ArrayList<>(vpcs + PUBLIC_ROUTES + 1);
        vrfs.add(VrfIntent.of("internet", PUBLIC_VNI, 0).asOutside());
        routes.add(new RouteIntent("internet", new Ipv4Prefix(0, 0), borderLeaf(0), RouteSource.STATIC));
        SplittableRandom random = new SplittableRandom(11);
        java.util.Set<Ipv4Prefix> seen = new java.util.HashSet<>();
        while (seen.size() < PUBLIC_ROUTES) {
            int length = 8 + random.nextInt(17);
            Ipv4Prefix prefix = new Ipv4Prefix(EgressAclRules.publicAddress(random) & (-1 << (32 - length)), length);
            if (seen.add(prefix)) {
                routes.add(new RouteIntent("internet", prefix, borderLeaf(seen.size() % BORDER_VTEPS), RouteSource.BGP));
            }
        }
        NextHop hypervisor = NextHop.remoteVtep(HYPERVISOR_VTEP, VM_MAC);
        Ipv4Prefix vmSubnet = new Ipv4Prefix(0x0A00_0000, 16);
        for (int v = 0; v < vpcs; v++) {
            vrfs.add(VrfIntent.of(vpcName(v), FIRST_VPC_VNI + v, vrfOfVpc(v)));
            routes.add(new RouteIntent(vpcName(v), vmSubnet, hypervisor, RouteSource.STATIC));
            if (!PipelineFeatures.natBinds(vrfOfVpc(v))) {
                // The NAT cannot bind this VPC: its VMs reach the internet routed, untranslated.
                routes.add(new RouteIntent(vpcName(v), new Ipv4Prefix(0, 0), borderLeaf(v % BORDER_VTEPS),
                    RouteSource.STATIC));
            }
        }
        return ForwardingIntent.of(node, vrfs, routes);
    }

    private static NextHop borderLeaf(int index) {
        return new NextHop.RemoteVtep(Ipv4Address.parse("192.0.2." + (16 + index)),
            new MacAddress(0x02bb_0000_0000L + index));
    }

    /**
     * One header per session, in a shuffled order (so consecutive packets hit unrelated table
     * entries, as interleaved traffic from many flows does): VM {@code 10.0.x.y:port} in VPC
     * {@code i % vpcs} to an internet address, half of them inside a permit rule's destination.
     */
    private static byte[] flowHeaders(PipelineScenario scenario, EgressAclRules aclRules) {
        int sessions = scenario.sessions();
        SplittableRandom random = new SplittableRandom(42);
        int[] order = Permutations.shuffled(sessions, random::nextInt);
        long vmMac = PacketBuilder.parseMac(VM_MAC);
        long routerMac = PacketBuilder.parseMac(OUR_ROUTER_MAC);
        long hypervisorMac = PacketBuilder.parseMac(HYPERVISOR_MAC);
        long underlayMac = PacketBuilder.parseMac(OUR_UNDERLAY_MAC);
        byte[] headers = new byte[sessions * HEADER_BYTES];
        int payloadBytes = scenario.packetBytes() - 42;
        for (int n = 0; n < sessions; n++) {
            int flow = order[n];
            int vpc = flow % scenario.vpcs();
            int k = flow / scenario.vpcs();
            int source = EgressAclRules.VM_BASE + k % EgressAclRules.VM_COUNT;
            int sourcePort = 1024 + (k / EgressAclRules.VM_COUNT) % 60_000;
            int destination = aclRules.targetCount() > 0 && random.nextBoolean()
                ? aclRules.targetAddress(random.nextInt(aclRules.targetCount()), random)
                : EgressAclRules.publicAddress(random);
            // Zero payload: the UDP checksum the builder computes stays right for the zeroed frames.
            byte[] inner = PacketBuilder.ethernet(vmMac, routerMac).ipv4(source, destination).ttl(64)
                .udp(sourcePort, 443).payload(payloadBytes).build();
            byte[] frame = PacketBuilder.vxlan(hypervisorMac, underlayMac, HYPERVISOR_VTEP, OUR_VTEP,
                49152 + (flow & 0x3FFF), FIRST_VPC_VNI + vpc, inner);
            System.arraycopy(frame, 0, headers, n * HEADER_BYTES, HEADER_BYTES);
        }
        return headers;
    }

    /** Sends every flow once (creating its sessions), then checks a second pass is forwarded whole. */
    private void establish() {
        PipelineWorker handle = newWorker(0, 1);
        Worker worker = handle.worker();
        ReplayPacketIo io = handle.io();
        int batches = (scenario.sessions() + BATCH_SIZE - 1) / BATCH_SIZE;
        for (int b = 0; b < batches; b++) {
            worker.doWork();
        }
        long before = io.transmittedPackets();
        long received = io.receivedPackets();
        for (int b = 0; b < batches; b++) {
            worker.doWork();
        }
        long sent = io.transmittedPackets() - before;
        long offered = io.receivedPackets() - received;
        establishedShare = (double) sent / offered;
        if (establishedShare < 0.99) {
            StringBuilder counters = new StringBuilder();
            for (String name : worker.counters().layout().names()) {
                long value = worker.counters().get(worker.counters().layout().id(name));
                if (value != 0) {
                    counters.append("\n  ").append(name).append(" = ").append(value);
                }
            }
            throw new IllegalStateException("only " + sent + " of " + offered + " packets forwarded once established ("
                + scenario + "):" + counters);
        }
    }

    private double establishedShare;

    /** Share of packets forwarded on the second pass over all flows (the rest are counted drops). */
    public double establishedShare() {
        return establishedShare;
    }

    /**
     * A worker with its own frames and a {@link ReplayPacketIo} over the flows {@code i} with
     * {@code i % workerCount == workerId} (as RSS would spread them), all tables shared.
     */
    public PipelineWorker newWorker(int workerId, int workerCount) {
        return newWorker(workerId, workerCount, definition);
    }

    /** As {@link #newWorker(int, int)}, running {@code graph} (e.g. the stages wrapped for profiling). */
    public PipelineWorker newWorker(int workerId, int workerCount, PipelineDefinition graph) {
        FrameMemory memory = new FrameMemory(BATCH_SIZE * 2);
        FramePool pool = new FramePool(memory);
        int sessions = scenario.sessions();
        int mine = 0;
        for (int n = workerId; n < sessions; n += workerCount) {
            mine++;
        }
        byte[] own;
        if (workerCount == 1) {
            own = headers;
        } else {
            own = new byte[Math.max(1, mine) * HEADER_BYTES];
            int at = 0;
            for (int n = workerId; n < sessions; n += workerCount) {
                System.arraycopy(headers, n * HEADER_BYTES, own, at, HEADER_BYTES);
                at += HEADER_BYTES;
            }
            if (mine == 0) {
                System.arraycopy(headers, 0, own, 0, HEADER_BYTES);
            }
        }
        ReplayPacketIo io = new ReplayPacketIo("replay:" + workerId, memory, own, HEADER_BYTES,
            scenario.packetBytes() + VXLAN_OVERHEAD_BYTES);
        return new PipelineWorker(new Worker(workerId, graph, new PacketIo[] {io}, pool, BATCH_SIZE, publisher,
            NanoClock.SYSTEM), io);
    }

    public PipelineScenario scenario() {
        return scenario;
    }

    public SnapshotPublisher publisher() {
        return publisher;
    }

    public PipelineDefinition definition() {
        return definition;
    }

    public AclRuntime acl() {
        return acl;
    }

    public PipelineFeatures features() {
        return features;
    }

    /** Time spent compiling every table of the configuration, in nanoseconds. */
    public long tableCompileNs() {
        return tableCompileNs;
    }

    /** Names of the stages a packet meets, in order. */
    public List<String> stageNames() {
        return newWorker(0, 1).worker().pipeline().stageNames();
    }

    @Override
    public void close() {
        features.close();
        acl.close();
    }
}
