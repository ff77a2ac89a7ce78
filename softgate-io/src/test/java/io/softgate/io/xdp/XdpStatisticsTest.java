package io.softgate.io.xdp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.io.jnr.Native;
import java.io.IOException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Reading an AF_XDP socket's kernel counters by descriptor (the backend's and the benchmarks' one reader). */
@Tag("system")
class XdpStatisticsTest {
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;

    @Test
    void shouldReadSixZeroCountersOfAFreshAfXdpSocket() throws IOException {
        int fd = Native.libc().socket(XdpConstants.AF_XDP, XdpConstants.SOCK_RAW | XdpConstants.SOCK_CLOEXEC, 0);
        Assumptions.assumeTrue(fd >= 0, "AF_XDP sockets unavailable");
        try {
            assertArrayEquals(new long[XdpStatistics.COUNT], XdpStatistics.read(fd));
        } finally {
            Native.closeQuietly(fd);
        }
    }

    @Test
    void shouldFailOnASocketThatIsNotAfXdp() {
        int fd = Native.libc().socket(AF_INET, SOCK_DGRAM, 0);
        try {
            assertTrue(fd >= 0, "a UDP socket to ask");
            assertThrows(IOException.class, () -> XdpStatistics.read(fd));
        } finally {
            Native.closeQuietly(fd);
        }
    }
}
