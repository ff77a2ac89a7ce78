package io.softgate.service.features;

import io.softgate.acl.classify.AclCompiler;
import io.softgate.acl.classify.AclTables;
import io.softgate.acl.model.AclConfig;
import io.softgate.acl.stage.AclFlowTimeouts;
import io.softgate.acl.stage.AclRuntime;
import io.softgate.acl.stage.AclStageFactory;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.pipeline.StageFactory;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.evpn.forwarding.ForwardingFeature;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import io.softgate.lb.compile.LoadBalancerConfigException;
import io.softgate.lb.compile.LoadBalancerTables;
import io.softgate.lb.compile.MaglevBuildPool;
import io.softgate.lb.compile.VrfResolver;
import io.softgate.lb.control.LoadBalancerController;
import io.softgate.lb.health.ProbeTransport;
import io.softgate.lb.health.VipAvailabilityListener;
import io.softgate.lb.model.LoadBalancerConfig;
import io.softgate.lb.model.LoadBalancerService;
import io.softgate.lb.stage.LoadBalancerStages;
import io.softgate.lb.stage.ReplyStage;
import io.softgate.lb.stage.VipStage;
import io.softgate.nat.NatCapacity;
import io.softgate.nat.NatModule;
import io.softgate.nat.compile.NatTables;
import io.softgate.nat.config.NatConfig;
import io.softgate.nat.config.NatConfigException;
import io.softgate.nat.log.NatEventDrainer;
import io.softgate.nat.stage.Nat44In2OutStage;
import io.softgate.nat.stage.Nat44Out2InStage;
import io.softgate.service.config.Addresses;
import io.softgate.service.config.ConfigError;
import io.softgate.service.config.SoftgateConfig;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feature modules of one service process (ACL, load balancer, NAT): their shared run-time
 * state (flow and session tables, the LB controller and health checker), the stages they put
 * between {@code vxlan-decap} and {@code vrf-route}, the compilation of the configuration's
 * {@code acl}, {@code loadBalancer} and {@code nat} sections into their snapshot tables, and their
 * control-plane threads (LB health checks, NAT expiry sweeps and event log). Every feature is
 * present whether or not its section is: an absent section only sizes its tables at
 * {@code API_ONLY_CAPACITY}, and its stages pass packets through until tables are published.
 *
 * <p>The stage graph (see packaging/README.md):
 * <pre>
 * vxlan-decap -> feature-direction -+- from a VPC:     acl-egress -> lb-reply -> nat44-in2out -+-> vrf-route -> vxlan-encap
 *                                   +- from outside:   lb-vip -> nat44-out2in -> acl-ingress --+
 * </pre>
 *
 * <p>Threading: created, compiled, started and closed by the control thread; the LB controller
 * republishes from its probe threads and the NAT housekeeping runs on its own thread, both
 * publishing under the publisher's monitor.
 */
public final class ServiceFeatures implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceFeatures.class);
    /** How often the NAT sweeper runs and how many entries one run visits. */
    private static final long NAT_SWEEP_PERIOD_MS = 100;
    private static final int NAT_SWEEP_ENTRIES = 65_536;
    private static final int NAT_DRAIN_LIMIT = 10_000;
    /**
     * Sessions, flows and connections each module is sized for when the file has no section for it
     * (an API-only node); a section without rules sizes it explicitly.
     */
    public static final int API_ONLY_CAPACITY = 1 << 16;

    private volatile SoftgateConfig config;
    private final AclRuntime acl;
    private final NatModule nat;
    private final LoadBalancerStages lbStages;
    private final LoadBalancerController lbController;
    private volatile VrfIndexes vrfs = new VrfIndexes(-1, java.util.Map.of());
    private volatile SnapshotPublisher publisher;
    /** VIP addresses named in one availability log line; the rest are counted. */
    static final int LOGGED_VIPS = 20;
    /** Where VIP availability goes besides the log (the EVPN speaker), or null. */
    private volatile VipAvailabilityListener vipListener;
    private ScheduledExecutorService housekeeping;
    private BufferedWriter natEventLog;

    private ServiceFeatures(SoftgateConfig config) {
        this.config = config;
        AclSection aclSection = config.acl();
        NatSection natSection = config.nat();
        LoadBalancerSection lbSection = config.loadBalancer();
        // Every feature is present even without its section, so a node configured only through
        // the controller's API (the packaged default) can be given NAT, LB and ACL at run time;
        // an absent section only sizes the module at API_ONLY_CAPACITY (packaging/README.md).
        int aclFlows = aclSection == null ? API_ONLY_CAPACITY : aclSection.flowCapacity();
        this.acl = new AclRuntime(clamp(aclFlows, 1024, 1 << 26), AclFlowTimeouts.defaults());
        NatCapacity natCapacity = NatCapacity.defaults();
        int natSessions = natSection == null ? API_ONLY_CAPACITY : natSection.maxSessions();
        this.nat = new NatModule(new NatCapacity(clamp(natSessions, 1024, 1 << 26),
            clamp(natSessions, 1024, 1 << 26), natCapacity.maxFragments(), natCapacity.eventLogBytes(),
            natCapacity.maxPublicAddresses()));
        int lbConnections = lbSection == null ? API_ONLY_CAPACITY : lbSection.maxConnections();
        int probeThreads = lbSection == null ? LoadBalancerSection.DEFAULT_PROBE_THREADS : lbSection.probeThreads();
        int maglevBuildThreads = lbSection == null ? MaglevBuildPool.defaultParallelism() : lbSection.maglevBuildThreads();
        this.lbStages = new LoadBalancerStages(clamp(lbConnections, 1024, 1 << 24));
        // Probes use the softgate host's own stack (see packaging/README.md, "Health checks").
        this.lbController = new LoadBalancerController(new Resolver(), ProbeTransport.hostStack(), this::publishLb,
            new ForwardingVipListener(), clamp(probeThreads, 1, 64), clamp(maglevBuildThreads, 1, MaglevBuildPool.MAX_PARALLELISM));
    }

    /** Every feature, sized by {@code config}'s sections (an absent one: {@code API_ONLY_CAPACITY}). */
    public static ServiceFeatures create(SoftgateConfig config) {
        return new ServiceFeatures(config);
    }

    /** True when the features exist (always, since every module is built; kept for the wiring's null checks). */
    public boolean any() {
        return acl != null || nat != null || lbStages != null;
    }

    /**
     * Where the VIP announcements go besides the log (the EVPN speaker; null: only logged). The
     * listener is told at once which VIPs are available now, then every change.
     */
    public void vipListener(VipAvailabilityListener listener) {
        this.vipListener = listener;
        if (listener != null && lbController != null) {
            lbController.announceAvailableVips(listener);
        }
    }

    /** The LB controller (for the REST API). */
    public LoadBalancerController loadBalancer() {
        return lbController;
    }

    /** The LB connection table (for its persistence). */
    public io.softgate.lb.stage.ConnectionTracker loadBalancerConnections() {
        return lbStages == null ? null : lbStages.tracker();
    }

    /** The NAT (for session persistence). */
    public NatModule nat() {
        return nat;
    }

    /** The features as one insertion on the decap-to-route edge (always: every module is present). */
    public ForwardingFeature forwardingFeature() {
        if (!any()) {
            return null;
        }
        return new ForwardingFeature() {
            @Override
            public String entryStage() {
                return FeatureDirectionStage.NAME;
            }

            @Override
            public List<StageFactory> stages(String nextStage) {
                return stageFactories(nextStage);
            }
        };
    }

    private List<StageFactory> stageFactories(String next) {
        List<StageFactory> factories = new ArrayList<>();
        // From a VPC: the egress ACL sees the VM's own addresses, lb-reply turns backend replies
        // into VIP traffic, NAT in2out translates the rest (DESIGN §2).
        String outbound = next;
        if (nat != null) {
            factories.add(nat.in2outStage(outbound));
            outbound = Nat44In2OutStage.NAME;
        }
        if (lbStages != null) {
            factories.add(lbStages.replyStage(outbound));
            outbound = ReplyStage.NAME;
        }
        if (acl != null) {
            factories.add(new AclStageFactory(AclStageFactory.EGRESS, outbound, acl));
            outbound = AclStageFactory.EGRESS;
        }
        // From outside: VIPs and NAT addresses are translated first, so the ingress ACL judges
        // the VPC's private addresses in the VPC's VRF, as the egress ACL does.
        String inbound = next;
        if (acl != null) {
            factories.add(new AclStageFactory(AclStageFactory.INGRESS, inbound, acl));
            inbound = AclStageFactory.INGRESS;
        }
        if (nat != null) {
            factories.add(nat.out2inStage(inbound));
            inbound = Nat44Out2InStage.NAME;
        }
        if (lbStages != null) {
            factories.add(lbStages.vipStage(inbound));
            inbound = VipStage.NAME;
        }
        String fromVpc = outbound;
        String fromOutside = inbound;
        factories.add(0, worker -> new FeatureDirectionStage(fromVpc, fromOutside));
        return factories;
    }

    /**
     * Compiles the feature sections against the compiled forwarding tables (whose VRF indices the
     * packets carry) into {@code builder}; every problem is appended to {@code errors} with its
     * path in the file, and nothing is added when there is any.
     */
    public void compileInto(ConfigSnapshot.Builder builder, ForwardingTables forwarding, List<ConfigError> errors) {
        compileInto(config, builder, forwarding, errors);
    }

    private void compileInto(SoftgateConfig config, ConfigSnapshot.Builder builder, ForwardingTables forwarding,
                             List<ConfigError> errors) {
        VrfIndexes indexes = VrfIndexes.of(forwarding, config.node() == null ? null : config.node().publicVrf());
        this.vrfs = indexes;
        FeatureCompiler compiler = new FeatureCompiler(indexes);
        List<Runnable> puts = new ArrayList<>();
        if (config.acl() != null) {
            AclConfig aclConfig = compiler.acl(config.acl());
            if (aclConfig != null) {
                try {
                    AclTables tables = AclCompiler.compile(aclConfig, indexes.vpcs());
                    puts.add(() -> builder.with(AclTables.SLOT, tables));
                } catch (IllegalArgumentException e) {
                    compiler.error("acl", e.getMessage());
                }
            }
        }
        List<Integer> publicAddresses = new ArrayList<>();
        if (config.nat() != null) {
            NatConfig natConfig = compiler.nat(config.nat());
            if (natConfig != null) {
                try {
                    NatTables tables = nat.compile(natConfig);
                    for (int address : tables.externalAddresses()) {
                        publicAddresses.add(address);
                    }
                    puts.add(() -> builder.with(NatTables.SLOT, tables));
                } catch (NatConfigException e) {
                    compiler.natError(config.nat(), e);
                }
            }
        }
        if (config.loadBalancer() != null) {
            LoadBalancerConfig lbConfig = compiler.loadBalancer(config.loadBalancer());
            if (lbConfig != null) {
                try {
                    LoadBalancerTables tables = lbController.apply(lbConfig);
                    for (LoadBalancerService service : lbConfig.services()) {
                        publicAddresses.add(Ipv4Flyweight.parse(service.vip()));
                    }
                    puts.add(() -> builder.with(LoadBalancerTables.SLOT, tables));
                } catch (LoadBalancerConfigException e) {
                    compiler.lbErrors(e.errors());
                }
            }
        }
        checkPublicRanges(config, compiler, publicAddresses);
        if (compiler.errors().isEmpty()) {
            for (Runnable put : puts) {
                put.run();
            }
        }
        errors.addAll(compiler.errors());
    }

    /** What a SIGHUP reload hands to the one owner of the snapshot's composition. */
    public interface Recomposer {
        /** Compiles {@code file}'s {@code models} with the other inputs and publishes; returns the problems. */
        List<ConfigError> recompose(SoftgateConfig file, FileFeatureModels models);

        /** Publishes the LB controller's tables after a health flip or an apply (the controller's lock held). */
        void publishLoadBalancer(LoadBalancerTables tables);
    }

    private volatile Recomposer recomposer;

    /** From now on {@link #reload} goes through {@code composer} instead of publishing file tables itself. */
    public void recomposer(Recomposer composer) {
        this.recomposer = composer;
    }

    /**
     * The feature sections of {@code file} as the modules' models, against the VRF numbering of
     * the file ({@code publicVrf} and the file's other VRFs, in file order, as the forwarding
     * compiler numbers them); problems are appended to {@code errors} with their file paths, and
     * the models of a section with errors are null. Nothing is compiled or published.
     */
    public FileFeatureModels fileModels(SoftgateConfig file, int publicVrf, List<ConfigError> errors) {
        java.util.Map<String, Integer> vpcs = new java.util.LinkedHashMap<>();
        List<io.softgate.service.config.VrfConfig> configured = file.forwarding().vrfs();
        int filePublic = -1;
        for (int v = 0; v < configured.size(); v++) {
            String name = configured.get(v).name();
            if (name.equals(file.node().publicVrf())) {
                filePublic = v;
            } else {
                vpcs.put(name, v);
            }
        }
        FeatureCompiler compiler = new FeatureCompiler(new VrfIndexes(filePublic >= 0 ? filePublic : publicVrf, vpcs));
        AclConfig aclModel = file.acl() == null ? null : compiler.acl(file.acl());
        NatConfig natModel = file.nat() == null ? null : compiler.nat(file.nat());
        LoadBalancerConfig lbModel = file.loadBalancer() == null ? null : compiler.loadBalancer(file.loadBalancer());
        if (lbModel != null) {
            compiler.lbErrors(lbController.validate(lbModel));
        }
        errors.addAll(compiler.errors());
        return new FileFeatureModels(aclModel, natModel, lbModel);
    }

    /**
     * Tells the load balancer (and the NAT event log) the VRF numbering of the snapshot about to
     * be published: the public VRF and every VPC by name, the file's and the API's.
     */
    public void vrfNumbering(int publicVrf, java.util.Map<String, Integer> vpcs) {
        this.vrfs = new VrfIndexes(publicVrf, vpcs);
    }

    /** Every NAT public address and VIP must lie in {@code publicAddressRanges} when ranges are given. */
    private static void checkPublicRanges(SoftgateConfig config, FeatureCompiler compiler, List<Integer> addresses) {
        List<String> ranges = config.publicAddressRanges();
        if (ranges.isEmpty()) {
            return;
        }
        List<int[]> parsed = new ArrayList<>();
        for (int r = 0; r < ranges.size(); r++) {
            try {
                Addresses.Prefix prefix = Addresses.parsePrefix(ranges.get(r));
                if (prefix.address().length != 4) {
                    compiler.error("publicAddressRanges[" + r + "]", "must be an IPv4 prefix (NAT44, IPv4 VIPs)");
                    continue;
                }
                parsed.add(new int[] {java.nio.ByteBuffer.wrap(prefix.address()).getInt(), prefix.length()});
            } catch (IllegalArgumentException e) {
                compiler.error("publicAddressRanges[" + r + "]", e.getMessage());
            }
        }
        for (int address : addresses) {
            boolean inside = false;
            for (int[] range : parsed) {
                int mask = range[1] == 0 ? 0 : -1 << (32 - range[1]);
                inside |= (address & mask) == range[0];
            }
            if (!inside) {
                compiler.error("publicAddressRanges", "public address " + Ipv4Flyweight.format(address)
                    + " (NAT or VIP) lies in none of the ranges");
            }
        }
    }

    /**
     * Starts the control-plane work once the first snapshot is published: LB health checks
     * (flips republish the LB tables), and the NAT sweeper and event-log writer
     * ({@code <stateDir>/<nat.eventLog>}).
     */
    public void start(SnapshotPublisher snapshots, Path stateDir) throws IOException {
        this.publisher = snapshots;
        if (lbController != null) {
            lbController.start();
        }
        if (nat != null) {
            Path logFile = stateDir.resolve(config.nat() == null ? NatSection.DEFAULT_EVENT_LOG : config.nat().eventLog());
            natEventLog = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            NatEventDrainer drainer = nat.eventDrainer(vrf -> {
                String name = vrfs.nameOf(vrf);
                return name == null ? "vrf" + vrf : name;
            }, this::writeNatEvent);
            housekeeping = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "softgate-nat-housekeeping");
                thread.setDaemon(true);
                return thread;
            });
            housekeeping.scheduleWithFixedDelay(() -> natHousekeeping(drainer), NAT_SWEEP_PERIOD_MS, NAT_SWEEP_PERIOD_MS,
                TimeUnit.MILLISECONDS);
            LOG.info("NAT event log: {}", logFile);
        }
    }

    private void natHousekeeping(NatEventDrainer drainer) {
        try {
            SnapshotPublisher snapshots = publisher;
            NatTables tables = snapshots == null || snapshots.current() == null ? null
                : snapshots.current().get(NatTables.SLOT);
            if (tables != null) {
                nat.sweeper().sweepSlice(tables, System.nanoTime(), NAT_SWEEP_ENTRIES);
            }
            if (drainer.drain(NAT_DRAIN_LIMIT) > 0) {
                natEventLog.flush();
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("NAT housekeeping failed: {}", e.toString());
        }
    }

    private void writeNatEvent(String line) {
        try {
            natEventLog.write(line);
            natEventLog.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Applies the feature sections of {@code next} (a configuration file read again, e.g. on
     * SIGHUP) to the running service: the ACL and NAT tables go into one new snapshot, the load
     * balancer's through its controller (a second snapshot right after). The other sections
     * (node, forwarding, I/O...) and the set of features present need a restart: a change there is
     * refused. On any error nothing changes.
     *
     * @return the problems, empty when applied
     */
    public synchronized List<ConfigError> reload(SoftgateConfig next) {
        List<ConfigError> errors = new ArrayList<>();
        SnapshotPublisher snapshots = publisher;
        if (snapshots == null) {
            errors.add(new ConfigError("", "the service is not running yet"));
            return errors;
        }
        if (!java.util.Objects.equals(next.node(), config.node())
            || !java.util.Objects.equals(next.forwarding(), config.forwarding())) {
            errors.add(new ConfigError("", "node and forwarding changes need a restart; only nat, loadBalancer and acl reload"));
        }
        if (!errors.isEmpty()) {
            return errors;
        }
        Recomposer composer = recomposer;
        if (composer != null) {
            // The composer owns the merge: it compiles the new sections with the API intent and
            // the learned routes and publishes them whole (a section may come or go: the stages
            // are always there; the modules keep the size they started with).
            List<ConfigError> fileErrors = new ArrayList<>();
            FileFeatureModels models = fileModels(next, vrfs.publicVrf(), fileErrors);
            if (!fileErrors.isEmpty()) {
                return fileErrors;
            }
            errors.addAll(composer.recompose(next, models));
            if (errors.isEmpty()) {
                config = next;
            }
            return errors;
        }
        SoftgateConfig withoutLb = new SoftgateConfig(next.node(), next.dataplane(), next.io(), next.forwarding(),
            next.bgp(), next.stateDir(), next.publicAddressRanges(), next.nat(), null, next.acl());
        LoadBalancerConfig lbConfig = null;
        if (next.loadBalancer() != null) {
            // Checked before anything is published; the controller publishes its tables on apply.
            FeatureCompiler compiler = new FeatureCompiler(vrfs);
            lbConfig = compiler.loadBalancer(next.loadBalancer());
            if (lbConfig != null) {
                compiler.lbErrors(lbController.validate(lbConfig));
            }
            errors.addAll(compiler.errors());
            if (!errors.isEmpty()) {
                return errors;
            }
        }
        synchronized (snapshots) {
            ConfigSnapshot.Builder update = snapshots.current().toBuilder();
            compileInto(withoutLb, update, snapshots.current().get(ForwardingTables.SLOT), errors);
            if (!errors.isEmpty()) {
                return errors;
            }
            snapshots.publish(update);
        }
        if (lbConfig != null) {
            try {
                lbController.apply(lbConfig);
            } catch (LoadBalancerConfigException e) {
                FeatureCompiler compiler = new FeatureCompiler(vrfs);
                compiler.lbErrors(e.errors());
                errors.addAll(compiler.errors());
            }
        }
        if (errors.isEmpty()) {
            config = next;
        }
        return errors;
    }

    /**
     * Reads {@code file} again and {@link #reload(SoftgateConfig) reloads} the feature sections,
     * logging the outcome (the SIGHUP handler's work).
     */
    public void reloadFrom(Path file) {
        List<ConfigError> errors;
        try {
            errors = reload(io.softgate.service.config.ConfigLoader.load(file).config());
        } catch (io.softgate.service.config.ConfigException e) {
            errors = e.errors();
        }
        if (errors.isEmpty()) {
            SnapshotPublisher snapshots = publisher;
            LOG.info("reloaded nat, loadBalancer and acl from {}: snapshot epoch {}", file,
                snapshots == null ? -1 : snapshots.current().epoch());
        } else {
            LOG.warn("reload of {} refused, nothing changed: {}", file, errors);
        }
    }

    /** LB tables after a health flip (or an apply once running) go into the next snapshot. */
    private void publishLb(LoadBalancerTables tables) {
        Recomposer composer = recomposer;
        if (composer != null) {
            composer.publishLoadBalancer(tables);
            return;
        }
        SnapshotPublisher snapshots = publisher;
        if (snapshots == null) {
            return; // start-up: compileInto puts the tables into the first snapshot itself
        }
        snapshots.replace(LoadBalancerTables.SLOT, tables);
    }

    /** Stops the control-plane threads and frees the tables; call after the workers have stopped. */
    @Override
    public void close() {
        if (housekeeping != null) {
            housekeeping.shutdownNow();
            try {
                housekeeping.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (natEventLog != null) {
            try {
                natEventLog.close();
            } catch (IOException e) {
                LOG.warn("closing the NAT event log: {}", e.toString());
            }
        }
        if (lbController != null) {
            lbController.close();
        }
        // The tables' off-heap memory goes last: the caller has stopped the workers (the runtime is
        // closed before the features), so no stage reads them any more.
        if (lbStages != null) {
            lbStages.tracker().close();
        }
        if (nat != null) {
            nat.close();
        }
        if (acl != null) {
            acl.close();
        }
    }

    private static int clamp(int value, int min, int max) {
        return Math.max(min, Math.min(max, value));
    }

    /** VPC names and the public VRF as the forwarding tables compiled them. */
    private final class Resolver implements VrfResolver {
        @Override
        public int publicVrf() {
            return vrfs.publicVrf();
        }

        @Override
        public int vrfOfVpc(String vpc) {
            int index = vrfs.indexOf(vpc);
            return index < 0 ? UNKNOWN : index;
        }
    }

    /** Logs VIP availability and passes it on to the listener installed now, if any. */
    private final class ForwardingVipListener implements VipAvailabilityListener {
        @Override
        public void vipAvailable(String vipAddress) {
            LOG.info("VIP {} available (at least one healthy backend)", vipAddress);
            VipAvailabilityListener listener = vipListener;
            if (listener != null) {
                listener.vipAvailable(vipAddress);
            }
        }

        @Override
        public void vipUnavailable(String vipAddress) {
            LOG.info("VIP {} unavailable (no healthy backend)", vipAddress);
            VipAvailabilityListener listener = vipListener;
            if (listener != null) {
                listener.vipUnavailable(vipAddress);
            }
        }

        /** One compile's changes: one log line each way (not one per VIP: a first apply brings 1,000). */
        @Override
        public void vipsChanged(List<String> available, List<String> unavailable) {
            if (unavailable.size() == 1) {
                LOG.info("VIP {} unavailable (no healthy backend)", unavailable.get(0));
            } else if (!unavailable.isEmpty()) {
                LOG.info("{} VIPs unavailable (no healthy backend): {}", unavailable.size(), abbreviated(unavailable));
            }
            if (available.size() == 1) {
                LOG.info("VIP {} available (at least one healthy backend)", available.get(0));
            } else if (!available.isEmpty()) {
                LOG.info("{} VIPs available (at least one healthy backend): {}", available.size(), abbreviated(available));
            }
            VipAvailabilityListener listener = vipListener;
            if (listener != null) {
                listener.vipsChanged(available, unavailable);
            }
        }
    }

    /** At most {@link #LOGGED_VIPS} addresses, then how many more ({@code GET /api/softgate/lb-health} has all). */
    static String abbreviated(List<String> vips) {
        if (vips.size() <= LOGGED_VIPS) {
            return String.join(", ", vips);
        }
        return String.join(", ", vips.subList(0, LOGGED_VIPS)) + " and " + (vips.size() - LOGGED_VIPS) + " more";
    }
}
