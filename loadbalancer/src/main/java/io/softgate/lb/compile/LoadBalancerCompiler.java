package io.softgate.lb.compile;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.lb.maglev.MaglevTable;
import io.softgate.lb.maglev.MaglevTableBuilder;
import io.softgate.lb.model.Backend;
import io.softgate.lb.model.BackendAdminState;
import io.softgate.lb.model.BackendKey;
import io.softgate.lb.model.LoadBalancerConfig;
import io.softgate.lb.model.LoadBalancerService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * Compiles the load-balancer intent plus the backends' health into {@link LoadBalancerTables}.
 *
 * <p>It keeps two pieces of state. The stable id of every backend it has seen (keyed by
 * {@link BackendKey}). Tracked connections store that id, so a recompile (a health change, a new
 * backend) keeps established connections on their backend; ids are never reused within a process,
 * so a connection can never silently land on a different backend that took an old id. And the
 * Maglev slots of each weighted backend set of the last compile, reused while the table size and
 * the set are unchanged. And every backend endpoint (VRF, address, port, protocol) it has ever
 * compiled, the {@link BackendSourceFilter} {@code lb-reply} asks before the connection table.
 *
 * <p>Threading: one control thread at a time (methods are synchronized); a compile builds its new
 * Maglev tables on the calling thread and its {@link MaglevBuildPool} (never the common fork-join
 * pool) and returns once they are all built.
 */
public final class LoadBalancerCompiler {
    private final VrfResolver vrfs;
    private final MaglevBuildPool builders;
    private final Map<BackendKey, Integer> backendIds = new HashMap<>();
    // The Maglev slots of every weighted backend set of the last compile (immutable once published).
    private Map<SortedMap<String, Integer>, char[]> previousTables = Map.of();
    /**
     * Every (VRF, address, port, protocol) any compile has given a backend, in first-seen order.
     *
     * <p>Why it never shrinks: a reverse entry is keyed by its backend's endpoint as the snapshot
     * that created the connection compiled it, and it outlives that backend's removal, drain,
     * failure or a change of its service's VPC or protocol: until the client's next packet moves
     * the connection, and indefinitely while the backend keeps sending (lb-reply refreshes the
     * entry it finds). An expiry-based prune would therefore drop endpoints whose replies the
     * table still translates; a union over all compiles cannot miss one. Its size is bounded by the
     * distinct backend endpoints ever configured, like {@link #backendIds}.
     *
     * <p>Why the published filter is never older than the connection: a worker receives a batch
     * before it adopts the current snapshot ({@code Worker.doWork}), and a reply is received only
     * after {@code lb-vip} forwarded the packet it answers, which happened under a snapshot that
     * was published by then; so the reply is judged by that snapshot or a later one of this
     * compiler, whose filter holds the endpoint.
     */
    private final Set<BackendSource> compiledSources = new LinkedHashSet<>();

    /** One endpoint a reverse entry can be keyed by as its source. */
    private record BackendSource(int vrf, int address, int port, int protocol) {
    }

    /** A compiler that builds every Maglev table on the calling thread. */
    public LoadBalancerCompiler(VrfResolver vrfs) {
        this(vrfs, MaglevBuildPool.callerOnly());
    }

    /**
     * A compiler that builds its Maglev tables on the calling thread and {@code builders}; the
     * caller owns {@code builders} and closes it after the last compile.
     */
    public LoadBalancerCompiler(VrfResolver vrfs, MaglevBuildPool builders) {
        this.vrfs = vrfs;
        this.builders = builders;
    }

    /** Every error in {@code config}, each naming its field; empty when it compiles. */
    public List<ValidationError> validate(LoadBalancerConfig config) {
        return LoadBalancerValidator.validate(config, vrfs);
    }

    /**
     * Compiles {@code config} with backend health from {@code health}.
     *
     * @throws LoadBalancerConfigException naming every wrong field; nothing changes then
     */
    public synchronized LoadBalancerTables compile(LoadBalancerConfig config, BackendHealth health)
        throws LoadBalancerConfigException {
        List<ValidationError> errors = validate(config);
        if (!errors.isEmpty()) {
            throw new LoadBalancerConfigException(errors);
        }
        List<LoadBalancerService> enabled = new ArrayList<>();
        for (LoadBalancerService service : config.services()) {
            if (service.enabled()) {
                enabled.add(service);
            }
        }
        // New ids and endpoints are committed only once the compile has succeeded: a compile that
        // throws leaves the compiler as it was.
        Map<BackendKey, Integer> newIds = new HashMap<>();
        for (LoadBalancerService service : enabled) {
            for (Backend backend : service.backends()) {
                BackendKey key = key(service, backend);
                if (!backendIds.containsKey(key)) {
                    newIds.putIfAbsent(key, backendIds.size() + newIds.size());
                }
            }
        }
        List<BackendSource> newSources = new ArrayList<>();
        int backendCount = backendIds.size() + newIds.size();
        int[] backendAddress = new int[backendCount];
        int[] backendPort = new int[backendCount];
        int[] backendVrf = new int[backendCount];
        byte[] backendState = new byte[backendCount];
        int[] backendService = new int[backendCount];
        Arrays.fill(backendService, -1);

        int serviceCount = enabled.size();
        String[] names = new String[serviceCount];
        int[] vipAddress = new int[serviceCount];
        int[] vipPort = new int[serviceCount];
        int[] protocol = new int[serviceCount];
        int[] fullNatAddress = new int[serviceCount];
        char[][] maglev = new char[serviceCount][];
        int[][] maglevBackendIds = new int[serviceCount][];
        int vipCapacity = tableCapacity(serviceCount);
        long[] vipKeys = new long[vipCapacity];
        Arrays.fill(vipKeys, -1L);
        int[] vipServices = new int[vipCapacity];
        int[] vipAddresses = new int[vipCapacity];
        Set<String> available = new HashSet<>();
        MaglevTableBuilder builder = new MaglevTableBuilder(config.maglevTableSize());
        List<SortedMap<String, Integer>> weightedSets = new ArrayList<>(serviceCount);

        for (int s = 0; s < serviceCount; s++) {
            LoadBalancerService service = enabled.get(s);
            names[s] = service.name();
            vipAddress[s] = Ipv4Flyweight.parse(service.vip());
            vipPort[s] = service.port();
            protocol[s] = service.protocol().ipProtocolNumber();
            fullNatAddress[s] = service.fullNat() ? Ipv4Flyweight.parse(service.fullNatSourceAddress()) : 0;
            int vrf = vrfs.vrfOfVpc(service.vpc());

            builder.clear();
            boolean anyHealthy = false;
            Map<String, Integer> idByIdentity = new HashMap<>();
            for (Backend backend : service.backends()) {
                Integer known = backendIds.get(key(service, backend));
                int id = known != null ? known : newIds.get(key(service, backend));
                int address = Ipv4Flyweight.parse(backend.address());
                // Canonical identity (parsed and re-formatted address) so "010.0.0.1" and "10.0.0.1" agree.
                String identity = Ipv4Flyweight.format(address) + ":" + backend.port();
                idByIdentity.put(identity, id);
                backendAddress[id] = address;
                backendPort[id] = backend.port();
                backendVrf[id] = vrf;
                backendService[id] = s;
                newSources.add(new BackendSource(vrf, address, backend.port(), protocol[s]));
                boolean healthy = health.isHealthy(key(service, backend));
                anyHealthy |= healthy;
                boolean takesNew = healthy && backend.state() == BackendAdminState.ENABLED && backend.weight() > 0;
                backendState[id] = !healthy ? BackendState.DOWN : takesNew ? BackendState.ACTIVE : BackendState.DRAINING;
                if (takesNew) {
                    builder.add(identity, backend.weight());
                }
            }
            SortedMap<String, Integer> weighted = builder.backends();
            weightedSets.add(weighted);
            int[] idOfPosition = new int[weighted.size() + 1];
            int position = 0;
            for (String identity : weighted.keySet()) {
                idOfPosition[position++] = idByIdentity.get(identity);
            }
            idOfPosition[position] = MaglevTable.NO_BACKEND;
            maglevBackendIds[s] = idOfPosition;
            // Advertised while any backend is healthy, draining ones included: withdrawing the VIP
            // would cut the established connections a drain is meant to let finish.
            // Keyed by the canonical text of the parsed address: one key per VIP address however it
            // was written, so one service losing its backends cannot withdraw another's VIP.
            if (anyHealthy) {
                available.add(Ipv4Flyweight.format(vipAddress[s]));
            }
            insertVip(vipKeys, vipServices, LoadBalancerTables.vipKey(vipAddress[s], protocol[s], vipPort[s]), s);
            insertAddress(vipAddresses, vipAddress[s]);
        }
        Map<SortedMap<String, Integer>, char[]> built = maglevTables(weightedSets, config.maglevTableSize());
        for (int s = 0; s < serviceCount; s++) {
            maglev[s] = built.get(weightedSets.get(s));
        }
        int publicVrf = vrfs.publicVrf();
        previousTables = built;
        backendIds.putAll(newIds);
        compiledSources.addAll(newSources);
        return new LoadBalancerTables(publicVrf, config.tcpIdleTimeoutNs(), config.udpIdleTimeoutNs(),
            vipKeys, vipServices, vipAddresses, names, vipAddress, vipPort, protocol, fullNatAddress, maglev, maglevBackendIds,
            backendAddress, backendPort, backendVrf, backendState, backendService, available, backendSources());
    }

    private BackendSourceFilter backendSources() {
        int count = compiledSources.size();
        int[] vrf = new int[count];
        int[] address = new int[count];
        int[] port = new int[count];
        int[] protocol = new int[count];
        int i = 0;
        for (BackendSource source : compiledSources) {
            vrf[i] = source.vrf();
            address[i] = source.address();
            port[i] = source.port();
            protocol[i] = source.protocol();
            i++;
        }
        return BackendSourceFilter.of(vrf, address, port, protocol, count);
    }

    /**
     * The Maglev slots (backend positions) of every distinct weighted backend set in {@code sets}.
     * A table depends only on the table size and the weighted backend identities, so services with
     * the same set share one array (ids are mapped per service), and a set the previous compile
     * built keeps its array: a one-rule change does not rebuild every table. The sets still to
     * build are independent of each other and are built in parallel by the calling thread and the
     * compiler's {@link MaglevBuildPool} (1,000 services with their own backends: about 0.5 ms of
     * CPU each), one builder per task, each task taking every {@code tasks}-th set.
     */
    private Map<SortedMap<String, Integer>, char[]> maglevTables(List<SortedMap<String, Integer>> sets, int tableSize) {
        Map<SortedMap<String, Integer>, char[]> tables = new HashMap<>();
        List<SortedMap<String, Integer>> missing = new ArrayList<>();
        for (SortedMap<String, Integer> set : sets) {
            if (!tables.containsKey(set)) {
                char[] previous = previousTables.get(set);
                boolean reusable = previous != null && previous.length == tableSize;
                tables.put(set, reusable ? previous : null);
                if (!reusable) {
                    missing.add(set);
                }
            }
        }
        char[][] builtSlots = new char[missing.size()][];
        int tasks = Math.min(missing.size(), builders.parallelism());
        builders.run(tasks, task -> {
            MaglevTableBuilder taskBuilder = new MaglevTableBuilder(tableSize);
            for (int i = task; i < builtSlots.length; i += tasks) {
                taskBuilder.clear();
                missing.get(i).forEach(taskBuilder::add);
                builtSlots[i] = taskBuilder.buildCompact();
            }
        });
        for (int i = 0; i < builtSlots.length; i++) {
            tables.put(missing.get(i), builtSlots[i]);
        }
        return tables;
    }

    /** The stable id of a backend, or -1 when it has never been compiled. */
    public synchronized int backendId(BackendKey key) {
        Integer id = backendIds.get(key);
        return id == null ? -1 : id;
    }

    private static BackendKey key(LoadBalancerService service, Backend backend) {
        return new BackendKey(service.name(), backend.address(), backend.port());
    }

    /** A power of two at least twice {@code entries} (load factor <= 0.5 keeps probe chains short). */
    private static int tableCapacity(int entries) {
        int capacity = 4;
        while (capacity < entries * 2) {
            capacity <<= 1;
        }
        return capacity;
    }

    private static void insertVip(long[] keys, int[] values, long key, int value) {
        int mask = keys.length - 1;
        int index = LoadBalancerTables.spread(key) & mask;
        while (keys[index] != -1L) {
            index = (index + 1) & mask;
        }
        keys[index] = key;
        values[index] = value;
    }

    private static void insertAddress(int[] addresses, int address) {
        int mask = addresses.length - 1;
        int index = LoadBalancerTables.spread(address) & mask;
        while (addresses[index] != 0) {
            if (addresses[index] == address) {
                return;
            }
            index = (index + 1) & mask;
        }
        addresses[index] = address;
    }
}
