package io.softgate.io.jnr;

import java.io.IOException;
import java.nio.ByteBuffer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Loads the C library through JNR-FFI once, remembers why loading failed,
 * and turns failed calls into {@link IOException}s that name the call and the errno text.
 *
 * <p>Threading: the libraries load once under the class initialiser's lock; every method is
 * thread-safe and the errno it reads is the calling thread's.
 */
public final class Native {
    /** errno values the backends handle. */
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EBUSY = 16;
    public static final int EINVAL = 22;
    public static final int ENOBUFS = 105;
    public static final int EOPNOTSUPP = 95;

    private static final String X86_STUBS_PROPERTY = "jnr.ffi.x86asm.enabled";
    private static final LibC LIBC;
    private static final Runtime RUNTIME;
    private static final Throwable LIBC_CAUSE;

    static {
        LibC loaded = null;
        Runtime runtime = null;
        Throwable cause = null;
        try {
            // jnr-ffi's hand-assembled x86 call stubs crashed the JVM (SIGSEGV inside a recvfrom
            // stub after read/write/ioctl calls) on this project's machines; the generated-bytecode
            // path through jffi works. Set the property yourself to override.
            if (System.getProperty(X86_STUBS_PROPERTY) == null) {
                System.setProperty(X86_STUBS_PROPERTY, "false");
            }
            loaded = LibraryLoader.create(LibC.class).load("c");
            runtime = Runtime.getRuntime(loaded);
        } catch (Throwable e) {
            cause = e;
        }
        LIBC = loaded;
        RUNTIME = runtime;
        LIBC_CAUSE = cause;
    }

    private Native() {
    }

    /** True when the C library could be bound (JNR-FFI and its jffi native stub loaded). */
    public static boolean isAvailable() {
        return LIBC != null;
    }

    /** Why the C library could not be bound, or null. */
    public static Throwable unavailabilityCause() {
        return LIBC_CAUSE;
    }

    /** The bound C library; throws {@link IllegalStateException} with the cause when unavailable. */
    public static LibC libc() {
        if (LIBC == null) {
            throw new IllegalStateException("JNR-FFI cannot bind the C library: " + LIBC_CAUSE, LIBC_CAUSE);
        }
        return LIBC;
    }

    /** The calling thread's errno after the last call through JNR. */
    public static int errno() {
        return RUNTIME.getLastError();
    }

    /** Text of {@code errno} from the C library. */
    public static String describe(int errno) {
        return libc().strerror(errno) + " (errno " + errno + ")";
    }

    /** Returns {@code result} when it is >= 0; otherwise throws naming {@code what} and the errno. */
    public static int check(int result, String what) throws IOException {
        if (result < 0) {
            throw new NativeException(what, errno());
        }
        return result;
    }

    /** Same as {@link #check(int, String)} for calls returning a long. */
    public static long check(long result, String what) throws IOException {
        if (result < 0) {
            throw new NativeException(what, errno());
        }
        return result;
    }

    /** A zeroed, page-aligned off-heap scratch area for structs passed to the kernel by address. */
    public static UnsafeBuffer scratch(int bytes) {
        ByteBuffer buffer = BufferUtil.allocateDirectAligned(Math.max(64, (bytes + 63) & ~63), 64);
        return new UnsafeBuffer(buffer);
    }

    /** Closes {@code fd} if it is valid, ignoring errors (teardown). */
    public static void closeQuietly(int fd) {
        if (fd >= 0 && LIBC != null) {
            LIBC.close(fd);
        }
    }
}
