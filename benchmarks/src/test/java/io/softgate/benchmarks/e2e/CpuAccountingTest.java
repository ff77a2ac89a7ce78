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
    void shouldReadThisProcessCpuTimeAsWholeTicks() throws IOException {
        long[] split = CpuAccounting.processCpuSplitNs(ProcessHandle.current().pid());

        // The JVM has started and loaded this class: well over one 10 ms tick of user time.
        assertTrue(split[0] > 0, "user ns " + split[0]);
        assertEquals(0, split[0] % 10_000_000L);
        assertEquals(0, split[1] % 10_000_000L);
        // Read again later: the sum of the two, never less (CPU time does not go back).
        assertTrue(CpuAccounting.processCpuNs(ProcessHandle.current().pid()) >= split[0] + split[1]);
    }

    @Test
    void shouldReadZeroForAProcessOrThreadThatIsGone() throws IOException {
        assertArrayEquals(new long[2], CpuAccounting.processCpuSplitNs(Integer.MAX_VALUE));
        assertEquals(0, CpuAccounting.threadCpuNs(Path.of("/proc", Integer.toString(Integer.MAX_VALUE), "task", "1", "stat")));
    }
}
