package io.softgate.core.io;

import java.io.IOException;

/**
 * A file that is not a classic libpcap capture this reader supports (bad magic, pcapng, wrong
 * version, short global header); the message says which and what was found.
 *
 * <p>Threading: immutable.
 */
public final class PcapFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public PcapFormatException(String message) {
        super(message);
    }
}
