package io.softgate.io.jnr;

import java.io.IOException;

/**
 * A failed native call: which call and the errno it left, so callers can retry on the codes
 * that mean "try again" (EBUSY on a queue the kernel is still releasing).
 *
 * <p>Threading: immutable.
 */
public final class NativeException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public NativeException(String call, int errno) {
        super(call + " failed: " + Native.describe(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
