package io.softgate.benchmarks.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time sources for the report: a process's CPU time (utime + stime of {@code /proc/PID/stat},
 * all threads, ended ones included, user and kernel, syscalls included)
 * and the machine's {@code /proc/stat} per-CPU columns (USER_HZ ticks): softirq (the kernel's
 * packet processing: veth receive, XDP, IP forwarding, vxlan, netfilter, UDP delivery) and busy
 * (everything but idle and iowait).
 *
 * <p>Threading: stateless; snapshots are immutable.
 */
final class CpuAccounting {
    /** USER_HZ of /proc/stat (100 on every Linux architecture that matters here). */
    static final double TICKS_PER_SECOND = 100.0;

    private CpuAccounting() {
    }

    /** One /proc/stat reading: softirq and busy ticks per CPU. */
    record MachineSample(long[] softirqTicks, long[] busyTicks) {
        /** Softirq seconds per CPU since {@code before}. */
        double[] softirqSecondsSince(MachineSample before) {
            double[] seconds = new double[softirqTicks.length];
            for (int cpu = 0; cpu < seconds.length; cpu++) {
                seconds[cpu] = (softirqTicks[cpu] - before.softirqTicks[cpu]) / TICKS_PER_SECOND;
            }
            return seconds;
        }

        /** Busy seconds per CPU since {@code before}. */
        double[] busySecondsSince(MachineSample before) {
            double[] seconds = new double[busyTicks.length];
            for (int cpu = 0; cpu < seconds.length; cpu++) {
                seconds[cpu] = (busyTicks[cpu] - before.busyTicks[cpu]) / TICKS_PER_SECOND;
            }
            return seconds;
        }
    }

    static MachineSample machine() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
        int cpus = 0;
        for (String line : lines) {
            if (line.startsWith("cpu") && Character.isDigit(line.charAt(3))) {
                cpus++;
            }
        }
        long[] softirq = new long[cpus];
        long[] busy = new long[cpus];
        for (String line : lines) {
            if (!line.startsWith("cpu") || !Character.isDigit(line.charAt(3))) {
                continue;
            }
            String[] fields = line.trim().split("\\s+");
            int cpu = Integer.parseInt(fields[0].substring(3));
            if (cpu >= cpus) {
                continue;
            }
            // user nice system idle iowait irq softirq steal ...
            long total = 0;
            for (int i = 1; i < Math.min(fields.length, 9); i++) {
                total += Long.parseLong(fields[i]);
            }
            busy[cpu] = total - Long.parseLong(fields[4]) - Long.parseLong(fields[5]);
            softirq[cpu] = Long.parseLong(fields[7]);
        }
        return new MachineSample(softirq, busy);
    }

    /**
     * CPU nanoseconds (user + system, ended threads included) of process {@code pid}, from the
     * utime and stime fields of /proc/PID/stat (USER_HZ resolution: 10 ms), or 0 when it is gone.
     */
    static long processCpuNs(long pid) throws IOException {
        long[] split = processCpuSplitNs(pid);
        return split[0] + split[1];
    }

    /** User and system CPU nanoseconds of process {@code pid} (utime, stime of /proc/PID/stat), or zeros when it is gone. */
    static long[] processCpuSplitNs(long pid) throws IOException {
        return cpuSplitNs(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /** CPU nanoseconds (utime + stime) of one thread's {@code /proc/PID/task/TID/stat}, or 0 when it is gone. */
    static long threadCpuNs(Path stat) throws IOException {
        long[] split = cpuSplitNs(stat);
        return split[0] + split[1];
    }

    /** User and system CPU nanoseconds (utime, stime) of a process's or thread's {@code stat} file, or zeros when it is gone. */
    private static long[] cpuSplitNs(Path stat) throws IOException {
        String text;
        try {
            text = Files.readString(stat);
        } catch (NoSuchFileException e) {
            return new long[2];
        }
        // Fields after the command name, which is in parentheses and may hold spaces.
        String[] fields = text.substring(text.lastIndexOf(')') + 2).trim().split("\\s+");
        return new long[] {(long) (Long.parseLong(fields[11]) * (1e9 / TICKS_PER_SECOND)),
            (long) (Long.parseLong(fields[12]) * (1e9 / TICKS_PER_SECOND))};
    }

    /** The 1, 5 and 15-minute load averages. */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
