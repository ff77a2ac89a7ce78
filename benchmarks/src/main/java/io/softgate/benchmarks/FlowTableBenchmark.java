package io.softgate.benchmarks;

import io.softgate.core.flow.FlowTable;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jctools.maps.NonBlockingHashMapLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Flow-table lookup (hit) and insert+remove at 1M live entries, one thread, for the Softgate
 * {@link FlowTable} against {@link ConcurrentHashMap} and JCTools {@link NonBlockingHashMapLong}
 * in the same run.
 *
 * <p>Keys are precomputed in id order and read as a sequential stream (as a worker reads keys
 * parsed from the packets of a batch), while their hashes scatter the table accesses over a
 * table far larger than the caches (the packet-path case). FlowTable keys are three words (VRF
 * + IPv4 5-tuple), copied into a scratch array per operation; the maps get a 64-bit digest of
 * the same flow, their most favourable key, with keys and values boxed once in setup so no map
 * allocates per lookup. The insert
 * benchmark inserts the key 1M positions ahead of a cursor and removes the key at the cursor,
 * so the size stays at 1M; FlowTable removes by the entry index its insert returned, as the
 * packet path would.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar FlowTableBenchmark -f 1 -wi 2 -i 3
 * -w 1s -r 1s -prof gc}.
 *
 * <p>Threading: JMH runs one instance per thread ({@link Scope#Thread}); nothing is shared.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:MaxDirectMemorySize=1g"})
public class FlowTableBenchmark {
    private static final int KEY_WORDS = 3;
    private static final long NOW_NS = 0;
    /** Lookups per batch in {@link #lookupHitBatch}: a worker's packet vector. */
    private static final int BATCH = 16;
    /** Keys per {@link FlowTable#lookupBatch} call in {@link #lookupBatch}: a worker's packet vector. */
    static final int LOOKUP_BATCH = 32;
    /** Keys per call in {@link #lookupBatch64}: the service's default worker batch. */
    static final int LOOKUP_BATCH_64 = 64;

    @Param({"FlowTable", "ConcurrentHashMap", "NonBlockingHashMapLong"})
    public String implementation;

    @Param({"1000000"})
    public int entries;

    private static final int FLOW_TABLE = 0;
    private static final int CONCURRENT_HASH_MAP = 1;
    private static final int NON_BLOCKING_HASH_MAP_LONG = 2;

    /** {@link #implementation} as an int, so the measured switch costs the same for all three. */
    private int kind;
    private FlowTable flowTable;
    private ConcurrentHashMap<Long, Long> concurrentHashMap;
    private NonBlockingHashMapLong<Long> nonBlockingHashMapLong;

    /** Flow keys, KEY_WORDS longs per id, for ids 0..2*entries-1; ids [0, entries) are in the table at start. */
    private long[] flowKeys;
    private final long[] scratchKey = new long[KEY_WORDS];
    private final long[] batchKeys = new long[LOOKUP_BATCH_64 * KEY_WORDS];
    private final int[] batchEntries = new int[LOOKUP_BATCH_64];
    private long[] longKeys;
    private Long[] boxedKeys;
    private Long[] boxedValues;
    private long[] flowValue;
    private int[] entryOfId;
    /** Ids present in the table, ascending, for the lookup benchmark. */
    private int[] lookupOrder;
    private int lookupCursor;
    private int churnCursor;
    private int idMask;

    @Setup(Level.Trial)
    public void setUp() {
        int totalIds = Integer.highestOneBit(entries * 2 - 1) << 1;
        idMask = totalIds - 1;
        flowKeys = new long[totalIds * KEY_WORDS];
        longKeys = new long[totalIds];
        boxedKeys = new Long[totalIds];
        boxedValues = new Long[totalIds];
        entryOfId = new int[totalIds];
        SplittableRandom random = new SplittableRandom(7);
        for (int id = 0; id < totalIds; id++) {
            long vrf = id & 0xFF;
            long addresses = random.nextLong(); // source and destination IPv4
            long portsAndProtocol = (random.nextLong() & 0xFFFF_FFFFL) << 8 | 6;
            flowKeys[id * KEY_WORDS] = vrf;
            flowKeys[id * KEY_WORDS + 1] = addresses;
            flowKeys[id * KEY_WORDS + 2] = portsAndProtocol;
            longKeys[id] = addresses ^ (portsAndProtocol << 7) ^ vrf;
            boxedKeys[id] = longKeys[id];
            boxedValues[id] = (long) id;
        }
        flowValue = new long[] {1, 2};
        switch (implementation) {
            case "FlowTable":
                kind = FLOW_TABLE;
                // Load factor 0.5: sized for twice the live flows, as a deployment would be.
                flowTable = new FlowTable(entries * 2, KEY_WORDS, 2, FlowTable.DEFAULT_PROBE_WINDOW, 0x5EED);
                break;
            case "ConcurrentHashMap":
                kind = CONCURRENT_HASH_MAP;
                concurrentHashMap = new ConcurrentHashMap<>(entries * 2);
                break;
            case "NonBlockingHashMapLong":
                kind = NON_BLOCKING_HASH_MAP_LONG;
                nonBlockingHashMapLong = new NonBlockingHashMapLong<>(entries * 2);
                break;
            default:
                throw new IllegalArgumentException("unknown implementation " + implementation);
        }
        // Linear probing at load 0.5 leaves about one key in a million without a free slot in
        // its 32-slot window (FULL): such ids are left out of the lookup set.
        int[] present = new int[entries];
        int presentCount = 0;
        for (int id = 0; id < entries; id++) {
            if (put(id) >= 0) {
                present[presentCount++] = id;
            }
        }
        lookupOrder = java.util.Arrays.copyOf(present, presentCount);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (flowTable != null) {
            flowTable.close();
        }
    }

    /** One lookup of a present key; returns something derived from the hit so it is not dead code. */
    @Benchmark
    public long lookupHit() {
        int id = lookupOrder[lookupCursor];
        if (++lookupCursor == lookupOrder.length) {
            lookupCursor = 0;
        }
        switch (kind) {
            case FLOW_TABLE:
                return flowTable.lookup(flowKey(id), NOW_NS);
            case CONCURRENT_HASH_MAP:
                return concurrentHashMap.get(boxedKeys[id]);
            default:
                return nonBlockingHashMapLong.get(longKeys[id]);
        }
    }

    /**
     * A batch of {@value #BATCH} lookups of present keys, reported per lookup. FlowTable first
     * prefetches every key's slot, then looks each up (how a stage uses it); the maps have no
     * prefetch and simply get each key.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long lookupHitBatch() {
        int start = lookupCursor;
        lookupCursor = (start + BATCH) % lookupOrder.length;
        long sum = 0;
        switch (kind) {
            case FLOW_TABLE:
                for (int i = 0; i < BATCH; i++) {
                    sum += flowTable.prefetch(flowKey(batchId(start, i)));
                }
                for (int i = 0; i < BATCH; i++) {
                    sum += flowTable.lookup(flowKey(batchId(start, i)), NOW_NS);
                }
                return sum;
            case CONCURRENT_HASH_MAP:
                for (int i = 0; i < BATCH; i++) {
                    sum += concurrentHashMap.get(boxedKeys[batchId(start, i)]);
                }
                return sum;
            default:
                for (int i = 0; i < BATCH; i++) {
                    sum += nonBlockingHashMapLong.get(longKeys[batchId(start, i)]);
                }
                return sum;
        }
    }

    /**
     * {@value #LOOKUP_BATCH} lookups of present keys through one {@link FlowTable#lookupBatch}
     * call (hash and touch every home slot, then look each key up), reported per lookup; the
     * keys are copied into one flat array first, as a stage copies them out of its packets. The
     * maps have no batch form and get each key.
     */
    @Benchmark
    @OperationsPerInvocation(LOOKUP_BATCH)
    public long lookupBatch() {
        return batchLookup(LOOKUP_BATCH);
    }

    /**
     * {@link #lookupBatch} with {@value #LOOKUP_BATCH_64} keys per call (the service's default
     * worker batch, {@code dataplane.batchSize}): each call pays about one memory latency that
     * its keys' overlapped misses cannot hide, so a larger vector spreads it thinner.
     */
    @Benchmark
    @OperationsPerInvocation(LOOKUP_BATCH_64)
    public long lookupBatch64() {
        return batchLookup(LOOKUP_BATCH_64);
    }

    private long batchLookup(int keys) {
        int start = lookupCursor;
        lookupCursor = (start + keys) % lookupOrder.length;
        long sum = 0;
        switch (kind) {
            case FLOW_TABLE:
                for (int i = 0; i < keys; i++) {
                    int at = batchId(start, i) * KEY_WORDS;
                    batchKeys[i * KEY_WORDS] = flowKeys[at];
                    batchKeys[i * KEY_WORDS + 1] = flowKeys[at + 1];
                    batchKeys[i * KEY_WORDS + 2] = flowKeys[at + 2];
                }
                sum = flowTable.lookupBatch(batchKeys, keys, NOW_NS, batchEntries);
                return sum + batchEntries[keys - 1];
            case CONCURRENT_HASH_MAP:
                for (int i = 0; i < keys; i++) {
                    sum += concurrentHashMap.get(boxedKeys[batchId(start, i)]);
                }
                return sum;
            default:
                for (int i = 0; i < keys; i++) {
                    sum += nonBlockingHashMapLong.get(longKeys[batchId(start, i)]);
                }
                return sum;
        }
    }

    private int batchId(int start, int offset) {
        int position = start + offset;
        return lookupOrder[position >= lookupOrder.length ? position - lookupOrder.length : position];
    }

    /** Inserts a new flow and removes the oldest one: size stays at {@code entries}. */
    @Benchmark
    public int insertAndRemove() {
        int newId = (churnCursor + entries) & idMask;
        int oldId = churnCursor & idMask;
        churnCursor++;
        switch (kind) {
            case FLOW_TABLE:
                int result = put(newId); // a failed insert (FULL) is returned, not thrown
                flowTable.remove(entryOfId[oldId], flowKey(oldId));
                return result;
            case CONCURRENT_HASH_MAP:
                concurrentHashMap.put(boxedKeys[newId], boxedValues[newId]);
                return concurrentHashMap.remove(boxedKeys[oldId]) == null ? 0 : 1;
            default:
                nonBlockingHashMapLong.put(longKeys[newId], boxedValues[newId]);
                return nonBlockingHashMapLong.remove(longKeys[oldId]) == null ? 0 : 1;
        }
    }

    private int put(int id) {
        switch (kind) {
            case FLOW_TABLE:
                int result = flowTable.insert(flowKey(id), flowValue, Long.MAX_VALUE, NOW_NS);
                entryOfId[id] = result >= 0 ? FlowTable.entryIndex(result) : -1;
                return result;
            case CONCURRENT_HASH_MAP:
                concurrentHashMap.put(boxedKeys[id], boxedValues[id]);
                return 0;
            default:
                nonBlockingHashMapLong.put(longKeys[id], boxedValues[id]);
                return 0;
        }
    }

    /** Copies id's key into the scratch array, as a stage copies header fields out of a packet. */
    private long[] flowKey(int id) {
        int at = id * KEY_WORDS;
        scratchKey[0] = flowKeys[at];
        scratchKey[1] = flowKeys[at + 1];
        scratchKey[2] = flowKeys[at + 2];
        return scratchKey;
    }
}
