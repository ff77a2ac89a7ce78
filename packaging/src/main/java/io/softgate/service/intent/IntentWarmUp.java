package io.softgate.service.intent;

import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.lb.compile.LoadBalancerConfigException;
import io.softgate.lb.compile.ValidationError;
import io.softgate.lb.compile.VrfResolver;
import io.softgate.lb.control.LoadBalancerController;
import io.softgate.lb.health.ProbeTransport;
import io.softgate.lb.health.VipAvailabilityListener;
import io.softgate.nat.compile.ExternalAddressRegistry;
import io.softgate.nat.compile.NatRuleCompiler;
import io.softgate.service.config.SoftgateConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Start-up rehearsal of the API's apply path, so the controller's first big change does not run
 * cold code: the first {@code PUT} of 10,000 NAT rules spends most of its time interpreted, at C1,
 * and beside the JIT compiling it (issue 7 "Done when" 4). Builds a synthetic intent of the shape
 * controllers send (VPCs with a source NAT, port forwards, L4LB services, ACLs, static routes) and
 * runs it, and one-rule changes of it, through the same steps a real apply runs: serialise (the
 * persisted file's writer), bind from bytes (the request body's reader, {@link Binder}), the
 * draft copy and unchanged-document check, validation, resolution, every module adapter (in the
 * composer's order) and the load balancer controller's apply. Everything it builds is thrown away:
 * its adapters, NAT address registry and LB controller are its own instances (the running ones are
 * never called), no snapshot is published, no file is written, no counter moves, no BGP route
 * changes, and it logs nothing (the caller logs one line with the {@link Result}).
 *
 * <p>Threading: {@link #run} on the control thread during start-up, before the API serves; it
 * shares no state with the running service.
 */
public final class IntentWarmUp {
    /** VPCs of the synthetic intent (each with one vNet, one SNAT rule, ACLs and a static route). */
    static final int VPCS = 20;
    /** Port forwards (DNAT rules) per VPC. */
    static final int PORT_FORWARDS_PER_VPC = 49;
    /** L4LB services per VPC (two backends each). */
    static final int LB_SERVICES_PER_VPC = 10;
    /** One-rule changes after each round's whole apply (the incremental path of a later request). */
    static final int CHANGES_PER_ROUND = 3;
    /** Name prefix of the synthetic VPCs: no configuration file's VRF is expected to use it. */
    static final String NAME_PREFIX = "softgate-warm-up-";
    /** First VNI of the synthetic vNets, at the top of the 24-bit space (never reaches the data plane anyway). */
    static final int FIRST_VNI = IntentValidator.MAX_VNI - 1_000;

    /** Longest failure text kept in a {@link Result} (a refused document can list thousands of errors). */
    static final int MAX_FAILURE_CHARS = 500;

    private IntentWarmUp() {
    }

    /**
     * Reads a request body into a document, as the API's config apply does.
     *
     * <p>Threading: called by the warm-up's thread only.
     */
    @FunctionalInterface
    public interface Binder {
        IntentDocument bind(byte[] body) throws Exception;
    }

    /**
     * What the warm-up did: {@code rounds} whole applies of {@code natRules} NAT rules and
     * {@code lbServices} LB services (each followed by one-rule changes), in {@code wallNs}; and
     * why it stopped early ({@code failure}, null when it ran to the end or to its time budget).
     *
     * <p>Threading: immutable.
     */
    public record Result(int rounds, int applies, int natRules, int lbServices, long wallNs, long cpuNs, String failure) {
    }

    /**
     * Rehearses up to {@code rounds} rounds, starting no step once {@code budgetNs} of wall time
     * has passed or the calling thread has used {@code cpuBudgetNs} of CPU time; never throws (a
     * failure ends the rehearsal and is returned in the {@link Result}). {@code config} is the
     * node's configuration file (its VRFs and public VRF, as the real adapters see it).
     */
    public static Result run(SoftgateConfig config, String siteName, String adminTenantName, Binder binder, int rounds,
                             long budgetNs, long cpuBudgetNs) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long startNs = System.nanoTime();
        long startCpuNs = threads.getCurrentThreadCpuTime();
        IntentDocument synthetic = document(siteName, adminTenantName);
        int completedRounds = 0;
        int applies = 0;
        String failure = null;
        try {
            for (int round = 0; round < rounds && System.nanoTime() - startNs < budgetNs
                && threads.getCurrentThreadCpuTime() - startCpuNs < cpuBudgetNs; round++) {
                // A fresh set of adapters per round: the first apply compiles every rule anew.
                Rehearsal rehearsal = new Rehearsal(config);
                try {
                    IntentDocument before = IntentDocument.initial(siteName, adminTenantName);
                    IntentDocument applied = rehearsal.apply(before, synthetic, binder);
                    applies++;
                    for (int change = 1; change <= CHANGES_PER_ROUND && System.nanoTime() - startNs < budgetNs
                        && threads.getCurrentThreadCpuTime() - startCpuNs < cpuBudgetNs; change++) {
                        applied = rehearsal.apply(applied, movedPortForward(applied, change), binder);
                        applies++;
                    }
                } finally {
                    rehearsal.close();
                }
                completedRounds++;
            }
        } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
            // The warm-up is an optimisation: whatever goes wrong here must not keep the API from starting.
            String text = e.toString();
            failure = text.length() <= MAX_FAILURE_CHARS ? text : text.substring(0, MAX_FAILURE_CHARS) + "...";
        }
        return new Result(completedRounds, applies, synthetic.nats().size(), synthetic.l4lbs().size(),
            System.nanoTime() - startNs, threads.getCurrentThreadCpuTime() - startCpuNs, failure);
    }

    /** One round's throwaway adapters, composed as the service's snapshot composer composes its own. */
    private static final class Rehearsal implements LoadBalancerStaging, AutoCloseable {
        private final IntentCompiler compiler;
        private LoadBalancerController controller;
        private int applies;

        Rehearsal(SoftgateConfig config) {
            FileInputs inputs = FileInputs.of(config);
            NatRuleCompiler nat = new NatRuleCompiler(new ExternalAddressRegistry(NatIntentAdapter.DEFAULT_MAX_PUBLIC_ADDRESSES));
            this.compiler = new IntentCompiler(ConfigSnapshot::builder, List.of(new AclIntentAdapter(inputs),
                new LoadBalancerIntentAdapter(inputs, this), new NatIntentAdapter(inputs, nat::compile),
                new ForwardingIntentAdapter(inputs)));
        }

        /** The steps of {@link IntentStore#replace} and the composer's commit, nothing persisted or published. */
        IntentDocument apply(IntentDocument before, IntentDocument replacement, Binder binder) throws Exception {
            byte[] persisted = IntentPersistence.serialize(replacement);
            // Bodies come compact (API clients) or pretty-printed (softgatectl config apply of a
            // file): the reader sees both, or the first body of the other form deoptimises it.
            byte[] body = applies++ % 2 == 0 ? COMPACT.writeValueAsBytes(replacement) : persisted;
            IntentDocument bound = binder.bind(body);
            IntentDocument.Draft draft = before.edit();
            IntentStore.fill(draft, bound);
            IntentDocument next = draft.build();
            if (IntentStore.sameContent(before, next)) {
                throw new IllegalStateException("the rehearsed change changes nothing");
            }
            List<IntentError> errors = IntentValidator.validate(next);
            if (!errors.isEmpty()) {
                throw new IntentRejectedException(400, errors);
            }
            compiler.compileValid(next); // the snapshot builder is dropped: nothing is published
            return next;
        }

        /** The composer validates here and applies at commit; a rehearsal applies at once to its own controller. */
        @Override
        public List<ValidationError> stage(ConfigSnapshot.Builder builder, io.softgate.lb.model.LoadBalancerConfig lb,
                                           Map<String, Integer> vrfs, int publicVrf) {
            if (controller == null) {
                // Maglev build parallelism 1: every table is built on this thread, so the CPU
                // budget (this thread's CPU time) counts all of the rehearsal's work, no thread is
                // started during start-up, and none can run beside a worker on its core. The build
                // code the JIT warms is the same at any parallelism.
                controller = new LoadBalancerController(VrfResolver.of(Map.copyOf(vrfs), publicVrf), NO_PROBES, tables -> { },
                    SILENT, 1, 1);
            }
            try {
                controller.apply(lb);
                return List.of();
            } catch (LoadBalancerConfigException e) {
                return e.errors();
            }
        }

        @Override
        public void close() {
            if (controller != null) {
                controller.close(); // never started: no probe thread ran
            }
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper COMPACT = new com.fasterxml.jackson.databind.ObjectMapper();

    /** The rehearsal's controller is never started, so it never probes; if it did, no packet would leave. */
    private static final ProbeTransport NO_PROBES = (vpc, target, timeoutMs) -> {
        throw new java.io.IOException("the API warm-up does not probe backends");
    };

    private static final VipAvailabilityListener SILENT = new VipAvailabilityListener() {
        @Override
        public void vipAvailable(String vipAddress) {
        }

        @Override
        public void vipUnavailable(String vipAddress) {
        }
    };

    /**
     * The synthetic intent: {@link #VPCS} VPCs, each with a /16 allocation, one vNet, a source NAT
     * rule, {@link #PORT_FORWARDS_PER_VPC} port forwards to its hosts, {@link #LB_SERVICES_PER_VPC}
     * L4LB services, two ACL rules and a static route; public addresses from a NAT and a
     * load-balancer subnet of the system VPC. Addresses are in 100.64.0.0/10 and 10.0.0.0/8; none
     * of it ever reaches a table the data plane reads.
     */
    static IntentDocument document(String siteName, String adminTenantName) {
        IntentDocument initial = IntentDocument.initial(siteName, adminTenantName);
        int system = initial.systemVpc().id();
        int id = initial.nextId();
        List<VpcIntent> vpcs = new ArrayList<>(initial.vpcs());
        List<AllocationIntent> allocations = new ArrayList<>();
        List<SubnetIntent> subnets = new ArrayList<>();
        List<VnetIntent> vnets = new ArrayList<>();
        List<NatIntent> nats = new ArrayList<>();
        List<L4lbIntent> lbs = new ArrayList<>();
        List<AclIntent> acls = new ArrayList<>();
        List<StaticRouteIntent> routes = new ArrayList<>();
        int publicAllocation = id++;
        allocations.add(new AllocationIntent(publicAllocation, NAME_PREFIX + "public", "100.64.0.0/10", system));
        subnets.add(new SubnetIntent(id++, NAME_PREFIX + "nat", "100.64.0.0/16", SubnetIntent.NAT, system, publicAllocation));
        subnets.add(new SubnetIntent(id++, NAME_PREFIX + "lb", "100.65.0.0/16", SubnetIntent.LOAD_BALANCER, system,
            publicAllocation));
        for (int v = 0; v < VPCS; v++) {
            int vpc = id++;
            String name = NAME_PREFIX + "vpc" + v;
            vpcs.add(new VpcIntent(vpc, name, IntentDocument.ADMIN_TENANT_ID, false));
            allocations.add(new AllocationIntent(id++, name + "-cidr", "10." + v + ".0.0/16", vpc));
            vnets.add(new VnetIntent(id++, name + "-tier", vpc, FIRST_VNI + v, List.of("10." + v + ".1.1/24")));
            nats.add(new NatIntent(id++, name + "-snat", "SNAT", "ALL", "10." + v + ".0.0/16", null, "0.0.0.0/0", null,
                "100.64.0." + (v + 1) + "/32", null, null, null, "enabled", vpc));
            for (int k = 0; k < PORT_FORWARDS_PER_VPC; k++) {
                nats.add(new NatIntent(id++, name + "-pf" + k, "DNAT", k % 5 == 4 ? "UDP" : "TCP", "0.0.0.0/0", null,
                    "100.64.1." + (v + 1) + "/32", Integer.toString(1000 + k), null, null, "10." + v + ".1." + (10 + k) + "/32",
                    80, "enabled", vpc));
            }
            for (int s = 0; s < LB_SERVICES_PER_VPC; s++) {
                int service = v * LB_SERVICES_PER_VPC + s;
                lbs.add(new L4lbIntent(id++, name + "-lb" + s, "TCP", "100.65." + (service / 200) + "." + (service % 200 + 1), 80,
                    "enable", List.of(new LbBackendIntent("10." + v + ".1." + (10 + 2 * s), 80),
                        new LbBackendIntent("10." + v + ".1." + (11 + 2 * s), 80)), "None", null, null, vpc));
            }
            acls.add(new AclIntent(id++, name + "-web", "permit", "tcp", "0.0.0.0/0", "10." + v + ".1.0/24", 1, 65535, 80, 80,
                false, false, null, vpc, "warm-up"));
            acls.add(new AclIntent(id++, name + "-deny", "deny", "all", "0.0.0.0/0", "10." + v + ".0.0/16", 1, 65535, 1, 65535,
                false, false, null, vpc, "warm-up"));
            routes.add(new StaticRouteIntent(id++, "192.168." + v + ".0/24", "10." + v + ".1.2", vpc, "warm-up"));
        }
        return new IntentDocument(initial.generation(), id, siteName, adminTenantName, vpcs, allocations, subnets, vnets,
            nats, lbs, acls, routes);
    }

    /** {@code document} with its second NAT rule (a port forward) moved to another port. */
    private static IntentDocument movedPortForward(IntentDocument document, int change) {
        List<NatIntent> nats = new ArrayList<>(document.nats());
        NatIntent moved = nats.get(1);
        nats.set(1, new NatIntent(moved.id(), moved.name(), moved.action(), moved.protocol(), moved.sourceAddress(),
            moved.sourcePort(), moved.destinationAddress(), Integer.toString(60_000 + change), moved.snatToIp(),
            moved.snatToPool(), moved.dnatToIp(), moved.dnatToPort(), moved.state(), moved.vpcId()));
        return new IntentDocument(document.generation(), document.nextId(), document.siteName(), document.adminTenantName(),
            document.vpcs(), document.allocations(), document.subnets(), document.vnets(), nats, document.l4lbs(),
            document.acls(), document.routes());
    }
}
