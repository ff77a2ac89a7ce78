package io.softgate.io.xdp;

import static io.softgate.io.xdp.XdpConstants.*;

import io.softgate.io.jnr.Native;
import java.io.IOException;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Busy-poll socket options for an AF_XDP socket whose worker shares a core with the kernel's
 * receive work: SO_PREFER_BUSY_POLL, SO_BUSY_POLL (microseconds) and SO_BUSY_POLL_BUDGET
 * (packets per poll). With them the worker drives the device's NAPI poll from its own
 * {@code recvfrom(MSG_DONTWAIT)} each loop, which avoids the livelock measured on these machines
 * when softirq receive and the poller fight for one core. Pair it with the device settings
 * {@code napi_defer_hard_irqs} and {@code gro_flush_timeout} (see BUILD-FACTS).
 *
 * <p>Threading: immutable.
 *
 * @param enabled whether to set the options and poll from receive
 * @param busyPollMicros SO_BUSY_POLL
 * @param budget SO_BUSY_POLL_BUDGET
 */
public record BusyPoll(boolean enabled, int busyPollMicros, int budget) {
    /** No busy polling (default): the kernel's softirq fills the RX ring. */
    public static final BusyPoll OFF = new BusyPoll(false, 0, 0);

    /** The settings measured to work here: 20 µs, budget 64. */
    public static BusyPoll recommended() {
        return new BusyPoll(true, 20, 64);
    }

    void apply(int fd) throws IOException {
        if (!enabled) {
            return;
        }
        set(fd, SO_PREFER_BUSY_POLL, 1, "SO_PREFER_BUSY_POLL");
        set(fd, SO_BUSY_POLL, busyPollMicros, "SO_BUSY_POLL");
        set(fd, SO_BUSY_POLL_BUDGET, budget, "SO_BUSY_POLL_BUDGET");
    }

    private static void set(int fd, int option, int value, String name) throws IOException {
        UnsafeBuffer buffer = Native.scratch(4);
        buffer.putInt(0, value);
        Native.check(Native.libc().setsockopt(fd, SOL_SOCKET, option, buffer.addressOffset(), 4),
            name + " = " + value + " (SO_BUSY_POLL_BUDGET and SO_PREFER_BUSY_POLL need CAP_NET_ADMIN)");
    }
}
