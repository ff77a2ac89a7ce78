package io.softgate.benchmarks.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The /proc stat parser shared by process and thread CPU time. */
class CpuAccountingTest {
    @Test
    void shouldReadThisProcessCpuTimeAsTheJdkDoes() throws IOException {
        long[] split = CpuAccounting.processCpuSplitNs(ProcessHandle.current().pid());

        // The JVM has started and loaded this class: well over one 10 ms tick of user time.
        assertTrue(split[0] > 0, "user ns " + split[0]);
        // The same utime + stime the JDK reads for the process, within a tick or two of CPU spent between reads.
        long jdkNs = ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
        long afterNs = CpuAccounting.processCpuNs(ProcessHandle.current().pid());
        assertTrue(jdkNs >= split[0] + split[1] - 20_000_000L && jdkNs <= afterNs + 20_000_000L,
            "JDK " + jdkNs + " ns against ours " + (split[0] + split[1]) + " .. " + afterNs);
        // Read again later: the sum of the two, never less (CPU time does not go back).
        assertTrue(CpuAccounting.processCpuNs(ProcessHandle.current().pid()) >= split[0] + split[1]);
    }

    @Test
    void shouldReadZeroForAProcessOrThreadThatIsGone() throws IOException {
        assertArrayEquals(new long[2], CpuAccounting.processCpuSplitNs(Integer.MAX_VALUE));
        assertEquals(0, CpuAccounting.threadCpuNs(Path.of("/proc", Integer.toString(Integer.MAX_VALUE), "task", "1", "stat")));
    }
}
