package io.softgate.io.jnr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the process's effective capabilities from /proc/self/status, so backends can say which
 * capability is missing instead of failing with a bare EPERM later.
 *
 * <p>Threading: stateless.
 */
public final class Capabilities {
    public static final int CAP_NET_ADMIN = 12;
    public static final int CAP_NET_RAW = 13;
    public static final int CAP_IPC_LOCK = 14;
    public static final int CAP_SYS_ADMIN = 21;
    public static final int CAP_BPF = 39;

    private Capabilities() {
    }

    /** True when the process holds {@code capability} in its effective set (false if unknown). */
    public static boolean has(int capability) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long mask = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    return (mask & (1L << capability)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }
}
