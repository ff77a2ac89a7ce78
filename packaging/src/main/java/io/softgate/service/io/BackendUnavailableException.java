package io.softgate.service.io;

/**
 * The configured I/O backend cannot be used in this build or on this machine.
 *
 * <p>Threading: immutable.
 */
public final class BackendUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public BackendUnavailableException(String message) {
        super(message);
    }
}
