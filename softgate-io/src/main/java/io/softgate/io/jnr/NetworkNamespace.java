package io.softgate.io.jnr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Moves the calling thread into a named network namespace ({@code ip netns add NAME}, a file under
 * /var/run/netns) for the duration of a setup step, and back. Linux keeps the network namespace
 * per thread and every socket or TUN device keeps the namespace it was created in, so a backend can
 * create its descriptors inside a namespace while the rest of the JVM stays where it is.
 *
 * <p>Threading: a {@link Scope} belongs to the thread that entered it and must be closed there.
 */
public final class NetworkNamespace {
    /** setns(2) type: network namespace. */
    private static final int CLONE_NEWNET = 0x4000_0000;
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final Path NAMED = Path.of("/var/run/netns");

    private NetworkNamespace() {
    }

    /** A thread's stay in a namespace; {@link #close()} returns the thread to where it was. */
    public interface Scope extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    private static final Scope STAY = () -> { };

    /**
     * Enters namespace {@code name} on the calling thread, or does nothing when {@code name} is null
     * (the thread stays in its current namespace).
     */
    public static Scope enter(String name) throws IOException {
        if (name == null) {
            return STAY;
        }
        Path target = NAMED.resolve(name);
        if (!Files.exists(target)) {
            throw new IOException("network namespace " + name + " does not exist (" + target + ")");
        }
        LibC libc = Native.libc();
        int original = Native.check(libc.open("/proc/thread-self/ns/net", O_RDONLY_CLOEXEC), "open own network namespace");
        int wanted = libc.open(target.toString(), O_RDONLY_CLOEXEC);
        if (wanted < 0) {
            int errno = Native.errno();
            libc.close(original);
            throw new NativeException("open " + target, errno);
        }
        int entered = libc.setns(wanted, CLONE_NEWNET);
        int errno = Native.errno();
        libc.close(wanted);
        if (entered < 0) {
            libc.close(original);
            throw new NativeException("setns " + name + " (needs CAP_SYS_ADMIN)", errno);
        }
        return () -> {
            int back = libc.setns(original, CLONE_NEWNET);
            int backErrno = Native.errno();
            libc.close(original);
            if (back < 0) {
                throw new NativeException("setns back to the original network namespace", backErrno);
            }
        };
    }
}
