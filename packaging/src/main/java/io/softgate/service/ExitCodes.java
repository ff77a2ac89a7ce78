package io.softgate.service;

/**
 * Process exit codes of the {@code softgate} command.
 *
 * <p>Threading: constants only.
 */
public final class ExitCodes {
    /** Ran and stopped cleanly (including on SIGTERM/SIGINT). */
    public static final int OK = 0;
    /** Failed at run time: I/O could not be opened, a backend is missing, an internal error. */
    public static final int FAILURE = 1;
    /** The configuration file or the command line is wrong; nothing was started. */
    public static final int CONFIGURATION_ERROR = 2;

    private ExitCodes() {
    }
}
