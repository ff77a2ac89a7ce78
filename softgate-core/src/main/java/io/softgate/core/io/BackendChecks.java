package io.softgate.core.io;

/**
 * Argument checks shared by the backends' {@code open} methods (also those in softgate-io).
 *
 * <p>Threading: stateless.
 */
public final class BackendChecks {
    private BackendChecks() {
    }

    public static void checkOpen(String backend, boolean closed, int workerId, int workerCount) {
        if (closed) {
            throw new IllegalStateException("packet I/O backend '" + backend + "' is closed");
        }
        if (workerCount <= 0 || workerId < 0 || workerId >= workerCount) {
            throw new IllegalArgumentException("worker " + workerId + " of " + workerCount + " is out of range");
        }
    }
}
