package io.softgate.benchmarks;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.agrona.BufferUtil;
import org.agrona.UnsafeAccess;
import sun.misc.Unsafe;

/**
 * How fast this machine's memory is right now, for reading the table benchmarks' figures beside
 * it: every 1M-entry lookup here is bound by random cache-line loads, and on a virtual machine
 * their cost depends on what the other tenants of the host are doing. Two measures, each the
 * median of several timed windows:
 * <ul>
 *   <li>independent random line loads over a region far larger than any cache (the addresses
 *       come from a generator, not from the data, so the loads overlap as a batch lookup's do):
 *       the throughput floor of one miss per lookup;</li>
 *   <li>a dependent random walk (each load's address is the previous load's value) over regions
 *       of 1 MiB to 64 MiB: the full latency of one miss, and where it jumps, the size of the
 *       last-level cache this core really gets;</li>
 *   <li>the same walk over 1,024 to 16,384 lines placed one to a 4 KiB page (a random line of each
 *       page), beside a walk over as many lines packed together: the same lines' worth of cache,
 *       so what the spread walk costs more is address translation. Where the difference appears
 *       shows the TLB's reach in pages of 4 KiB, and so whether the 2 MiB pages the guest asks for
 *       are also 2 MiB pages of the host (then no difference until 2 MiB x the TLB's entries).</li>
 * </ul>
 * The region is direct memory, as the flow tables are; run it with the same
 * {@code GLIBC_TUNABLES=glibc.malloc.hugetlb=1} as the benchmarks so it gets the same pages.
 *
 * <pre>
 * GLIBC_TUNABLES=glibc.malloc.hugetlb=1 java -XX:MaxDirectMemorySize=1g \
 *     -cp benchmarks/target/benchmarks.jar io.softgate.benchmarks.MemoryProbe [MiB]
 * </pre>
 *
 * <p>Threading: runs everything on the calling thread.
 */
public final class MemoryProbe {
    private static final Unsafe UNSAFE = UnsafeAccess.UNSAFE;
    private static final int LINE = 64;
    private static final int WINDOWS = 7;
    private static final int[] WALK_MIB = {1, 2, 4, 8, 16, 64};
    private static final int PAGE = 4096;
    private static final int[] SPREAD_PAGES = {1024, 2048, 4096, 8192, 16384};

    private MemoryProbe() {
    }

    public static void main(String[] args) {
        // A power of two, so a line index is a mask of the generator's bits (a division would cost more than the load).
        int regionMib = Integer.highestOneBit(Math.max(1, args.length > 0 ? Integer.parseInt(args[0]) : 256));
        ByteBuffer region = ByteBuffer.allocateDirect(regionMib << 20);
        long base = BufferUtil.address(region);
        for (long offset = 0; offset < (long) regionMib << 20; offset += 4096) {
            UNSAFE.putByte(base + offset, (byte) 1); // fault every page in before timing
        }
        long lines = ((long) regionMib << 20) / LINE;
        long sink = (long) independentLoads(base, lines, 2_000_000)[0]; // warm-up: compile the loop
        double[] independent = independentLoads(base, lines, 4_000_000);
        sink += (long) independent[0];
        System.out.printf("independent random line loads over %d MiB: %.1f ns per line (median of %d windows, "
            + "range %.1f-%.1f)%n", regionMib, median(independent, 2), WINDOWS, independent[2],
            independent[2 + WINDOWS - 1]);
        dependentWalk(base, 1); // warm-up: compile the walk
        StringBuilder walk = new StringBuilder("dependent random walk, ns per load:");
        for (int mib : WALK_MIB) {
            if (mib > regionMib) {
                break;
            }
            walk.append(String.format(" %d MiB %.1f;", mib, dependentWalk(base, mib)));
        }
        System.out.println(walk);
        StringBuilder spread = new StringBuilder("one line per 4 KiB page against as many lines packed, ns per load:");
        for (int pages : SPREAD_PAGES) {
            if ((long) pages * PAGE > (long) regionMib << 20) {
                break;
            }
            spread.append(String.format(" %d pages %.1f / %.1f;", pages, walk(base, pages, PAGE), walk(base, pages, LINE)));
        }
        System.out.println(spread);
        System.out.printf("(sink %d)%n", sink & 1);
    }

    /**
     * Times {@code WINDOWS} windows of {@code loads} loads at random lines of the region; returns
     * {sum of the loaded bytes, unused, sorted ns per load...}.
     */
    private static double[] independentLoads(long base, long lines, int loads) {
        double[] result = new double[2 + WINDOWS];
        long x = 0x9E3779B97F4A7C15L;
        long sum = 0;
        for (int window = 0; window < WINDOWS; window++) {
            long start = System.nanoTime();
            for (int i = 0; i < loads; i++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                sum += UNSAFE.getByte(base + (x & lines - 1) * LINE);
            }
            result[2 + window] = (double) (System.nanoTime() - start) / loads;
        }
        Arrays.sort(result, 2, 2 + WINDOWS);
        result[0] = sum;
        return result;
    }

    /** Median ns per load of a dependent walk through one random cycle over the first {@code mib} MiB. */
    private static double dependentWalk(long base, int mib) {
        return walk(base, (mib << 20) / LINE, LINE);
    }

    /**
     * Median ns per load of a dependent walk through one random cycle of {@code lines} lines, line
     * {@code i} in the {@code i}-th block of {@code stride} bytes: at its start when the stride is
     * one line (packed), at a random line of the block otherwise (so the lines spread over every
     * cache set).
     */
    private static double walk(long base, int lines, int stride) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(lines * 31L + stride);
        long[] at = new long[lines];
        for (int i = 0; i < lines; i++) {
            at[i] = (long) i * stride + (stride == LINE ? 0 : (long) random.nextInt(stride / LINE) * LINE);
        }
        // A random cyclic order of the lines (Sattolo's shuffle): each line holds the next one's offset.
        int[] order = new int[lines];
        for (int i = 0; i < lines; i++) {
            order[i] = i;
        }
        for (int i = lines - 1; i > 0; i--) {
            int j = random.nextInt(i);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        for (int i = 0; i < lines; i++) {
            UNSAFE.putLong(base + at[i], at[order[i]]);
        }
        int steps = Math.max(200_000, 4 * lines);
        double[] windows = new double[WINDOWS];
        long offset = at[0];
        for (int i = 0; i < steps; i++) {
            offset = UNSAFE.getLong(base + offset); // warm-up pass: caches and the JIT
        }
        for (int window = 0; window < WINDOWS; window++) {
            long start = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                offset = UNSAFE.getLong(base + offset);
            }
            windows[window] = (double) (System.nanoTime() - start) / steps;
        }
        if (offset < 0) {
            System.out.println("unreachable"); // keeps the walk's result live
        }
        Arrays.sort(windows);
        return windows[WINDOWS / 2];
    }

    private static double median(double[] values, int from) {
        return values[from + WINDOWS / 2];
    }
}
