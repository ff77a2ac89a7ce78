package io.softgate.service.state;

import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a {@link SessionStore} on a daemon thread of its own, so that the Chronicle Map file is
 * mapped while the rest of the service starts (issue 9: the outage after a restart), and hands
 * it over once: {@link #take()} waits for it, {@link #closeIfNotTaken()} closes a store nobody took.
 *
 * <p>Threading: started by the constructor; {@code take} and {@code closeIfNotTaken} are called
 * by one control thread.
 */
final class BackgroundStoreOpen {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundStoreOpen.class);

    /** What opens the store (on the background thread). */
    interface Opener {
        SessionStore open() throws IOException;
    }

    private final Path file;
    private final String what;
    private final Thread thread;
    private final long startNs = System.nanoTime();
    private volatile SessionStore store;
    private volatile Throwable failure;
    private volatile long openNs;
    private boolean taken;

    /** Starts opening {@code file}; {@code what} names the store in errors ("session store"). */
    BackgroundStoreOpen(Path file, String what, String threadName, Opener opener) {
        this.file = file;
        this.what = what;
        this.thread = new Thread(() -> {
            try {
                store = opener.open();
            } catch (IOException | RuntimeException | LinkageError e) {
                failure = e;
            }
            openNs = System.nanoTime() - startNs;
        }, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Waits for the store and takes it (the caller closes it from now on). */
    SessionStore take() throws IOException {
        taken = true;
        return await();
    }

    /** Nanoseconds the open took; valid after {@link #take()}. */
    long openNs() {
        return openNs;
    }

    /** Closes the store if nobody took it (a start that failed before the reload). */
    void closeIfNotTaken() {
        if (taken) {
            return;
        }
        taken = true;
        try {
            await().close();
        } catch (IOException e) {
            LOG.warn("{}", e.getMessage());
        }
    }

    private SessionStore await() throws IOException {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening the " + what + " " + file, e);
        }
        if (failure != null) {
            throw new IOException("cannot open the " + what + " " + file + ": " + failure, failure);
        }
        return store;
    }
}
