package io.softgate.service.intent;

import io.softgate.core.snapshot.ConfigSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The controller's declarative state on this node. A change is a function over a
 * {@link IntentDocument.Draft}; it is applied whole or not at all: build the next document,
 * validate it, compile it into a snapshot while a writer thread writes and fsyncs it, persist it
 * atomically (the rename, once the compile succeeded; the replaced file is kept aside), publish
 * the snapshot, and only then drop the replaced file and make the change current. Any failure
 * leaves the current document, the file and the data plane as they were: a publish that throws
 * puts the replaced file back. Each accepted change increments the generation; a change that
 * names another generation than the current one is refused with 409.
 *
 * <p>Threading: changes are serialised by the store's monitor (a change's document is written on
 * the store's writer thread, which the applying thread waits for before it publishes);
 * {@link #current()} may be read from any thread (volatile).
 */
public final class IntentStore {
    /** Where compiled snapshots go (the runtime's publisher, or a test's). */
    public interface SnapshotSink {
        ConfigSnapshot publish(ConfigSnapshot.Builder snapshot);
    }

    /** A change: edits the draft, or throws to refuse it. */
    @FunctionalInterface
    public interface Change<T> {
        T apply(IntentDocument.Draft draft) throws IntentRejectedException;
    }

    /**
     * Wall time of the steps of an accepted change: validation, compile (the write runs beside it),
     * waiting for the write and renaming it into place, publishing the snapshot.
     *
     * <p>Threading: immutable.
     */
    public record Timings(long validateNs, long compileNs, long persistWaitNs, long publishNs) {
    }

    /** The outcome of an accepted change. */
    public record Applied<T>(T result, IntentDocument document, long compileAndSwapNs) {
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(IntentStore.class);

    private final IntentCompiler compiler;
    private final IntentPersistence persistence;
    private final SnapshotSink sink;
    // Writes a change's document while the applying thread compiles it; its thread ends when idle.
    private final java.util.concurrent.ExecutorService writer = writerExecutor();
    private volatile IntentDocument current;
    private volatile long lastCompileAndSwapNs;
    private volatile long lastCompileAndSwapCpuNs;
    private volatile Timings lastTimings = new Timings(0, 0, 0, 0);

    private IntentStore(IntentCompiler compiler, IntentPersistence persistence, SnapshotSink sink, IntentDocument start) {
        this.compiler = compiler;
        this.persistence = persistence;
        this.sink = sink;
        this.current = start;
    }

    /**
     * Loads the persisted document (or starts with the initial one), compiles and publishes it.
     * A persisted document that no longer compiles is an error: the node must not start with a
     * state other than the one it last applied.
     */
    public static IntentStore open(IntentCompiler compiler, IntentPersistence persistence, SnapshotSink sink,
                                   String siteName, String adminTenantName) throws IOException, IntentRejectedException {
        IntentDocument loaded = persistence.load();
        IntentDocument start = loaded != null ? loaded : IntentDocument.initial(siteName, adminTenantName);
        ConfigSnapshot.Builder snapshot = compiler.compile(start);
        if (loaded == null) {
            persistence.save(start);
        }
        sink.publish(snapshot);
        return new IntentStore(compiler, persistence, sink, start);
    }

    private static java.util.concurrent.ExecutorService writerExecutor() {
        java.util.concurrent.ThreadPoolExecutor executor = new java.util.concurrent.ThreadPoolExecutor(1, 1, 10,
            java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), task -> {
                Thread thread = new Thread(task, "softgate-intent-writer");
                thread.setDaemon(true);
                return thread;
            });
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    public IntentDocument current() {
        return current;
    }

    /** How long the last accepted change took to validate, compile, persist and publish. */
    public long lastCompileAndSwapNs() {
        return lastCompileAndSwapNs;
    }

    /** The steps of the last accepted change (zeros before the first). */
    public Timings lastTimings() {
        return lastTimings;
    }

    /**
     * CPU time the applying thread spent on the last accepted change (same span as
     * {@link #lastCompileAndSwapNs}); on a loaded machine the wall time also counts waiting for a core.
     */
    public long lastCompileAndSwapCpuNs() {
        return lastCompileAndSwapCpuNs;
    }

    public IntentCompiler compiler() {
        return compiler;
    }

    /**
     * Applies {@code change} if {@code expectedGeneration} is null or equals the current
     * generation; a change that leaves the document unchanged keeps the generation. A document the
     * validator refuses only for clashes with other objects (every error a
     * {@link IntentError#conflict}: a duplicate name, VXLAN id or route, an address taken) is
     * refused with 409, the change conflicting with the current state; any other error with 400.
     */
    public <T> Applied<T> apply(Long expectedGeneration, Change<T> change) throws IntentRejectedException {
        return apply(expectedGeneration, change, true);
    }

    private synchronized <T> Applied<T> apply(Long expectedGeneration, Change<T> change, boolean conflictsAre409)
        throws IntentRejectedException {
        IntentDocument before = current;
        if (expectedGeneration != null && expectedGeneration != before.generation()) {
            throw new IntentRejectedException(409, "If-Match", "stale generation " + expectedGeneration
                + "; the current generation is " + before.generation());
        }
        IntentDocument.Draft draft = before.edit();
        T result = change.apply(draft);
        IntentDocument next = draft.build();
        if (sameContent(before, next)) {
            return new Applied<>(result, before, 0);
        }
        long startNs = System.nanoTime();
        long startCpuNs = THREADS.getCurrentThreadCpuTime();
        List<IntentError> invalid = IntentValidator.validate(next);
        if (!invalid.isEmpty()) {
            throw new IntentRejectedException(conflictsAre409 && allConflicts(invalid) ? 409 : 400, invalid);
        }
        // The document is valid: write and fsync it on the writer thread while this thread
        // compiles; it becomes the persisted document (rename) only if the compile succeeds, and
        // before the snapshot is published, so the answer still follows the durable write.
        CompletableFuture<IntentPersistence.Staged> writing = CompletableFuture.supplyAsync(() -> {
            try {
                return persistence.stage(next);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, writer);
        long validatedNs = System.nanoTime();
        ConfigSnapshot.Builder snapshot;
        try {
            snapshot = compiler.compileValid(next);
        } catch (IntentRejectedException | RuntimeException | Error e) {
            discard(writing);
            throw e;
        }
        long compiledNs = System.nanoTime();
        IntentPersistence.Replaced replaced;
        try {
            replaced = staged(writing).commit();
        } catch (IOException e) {
            throw new IntentRejectedException(503, "stateDir", "cannot persist the change: " + e.getMessage());
        }
        long persistedNs = System.nanoTime();
        try {
            sink.publish(snapshot);
        } catch (RuntimeException | Error e) {
            // The data plane kept the previous snapshot: put the previous file back too, so that the
            // answer (500, nothing was changed) stays true across a restart.
            putBack(replaced, before, next, e);
            throw e;
        }
        replaced.release();
        current = next;
        long endNs = System.nanoTime();
        lastTimings = new Timings(validatedNs - startNs, compiledNs - validatedNs, persistedNs - compiledNs, endNs - persistedNs);
        lastCompileAndSwapNs = endNs - startNs;
        lastCompileAndSwapCpuNs = THREADS.getCurrentThreadCpuTime() - startCpuNs;
        return new Applied<>(result, next, lastCompileAndSwapNs);
    }

    /**
     * Compiles the current document again and publishes it, the generation unchanged: the node's
     * own inputs changed (a SIGHUP reload of the configuration file's feature sections).
     */
    public synchronized void recompile() throws IntentRejectedException {
        sink.publish(compiler.compile(current));
    }

    /**
     * Replaces the whole document (config apply), subject to the same checks; every refusal of
     * the validator is a 400: two objects of the new document that clash make that document wrong,
     * whatever the current state.
     */
    public Applied<IntentDocument> replace(Long expectedGeneration, IntentDocument document) throws IntentRejectedException {
        return apply(expectedGeneration, draft -> {
            fill(draft, document);
            return document;
        }, false);
    }

    private static boolean allConflicts(List<IntentError> errors) {
        for (IntentError error : errors) {
            if (!error.conflict()) {
                return false;
            }
        }
        return true;
    }

    /** Makes {@code draft} hold {@code document}'s objects (and at least its next id): a whole-document replace. */
    static void fill(IntentDocument.Draft draft, IntentDocument document) {
        copy(draft.vpcs, document.vpcs());
        copy(draft.allocations, document.allocations());
        copy(draft.subnets, document.subnets());
        copy(draft.vnets, document.vnets());
        copy(draft.nats, document.nats());
        copy(draft.l4lbs, document.l4lbs());
        copy(draft.acls, document.acls());
        copy(draft.routes, document.routes());
        while (draft.peekNextId() < document.nextId()) {
            draft.newId();
        }
    }

    /** The staged file of {@code writing}, waiting for the writer; its failure as an IOException. */
    private static IntentPersistence.Staged staged(CompletableFuture<IntentPersistence.Staged> writing) throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return writing.get();
                } catch (InterruptedException e) {
                    // The write is short and must finish before anyone else stages: wait it out.
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    throw cause instanceof UncheckedIOException io ? io.getCause()
                        : new IOException(String.valueOf(cause), cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Makes the document {@code next} replaced the persisted one again after {@code failure} to publish {@code next}. */
    private static void putBack(IntentPersistence.Replaced replaced, IntentDocument before, IntentDocument next, Throwable failure) {
        try {
            replaced.restore();
            LOG.warn("publishing intent generation {} failed ({}); generation {} stays applied and persisted",
                next.generation(), failure, before.generation());
        } catch (IOException e) {
            failure.addSuppressed(e);
            LOG.error("publishing intent generation {} failed ({}) and the persisted generation {} could not be put back ({}):"
                + " a restart would load generation {}", next.generation(), failure, before.generation(), e, next.generation());
        }
    }

    /** Waits for {@code writing} and deletes what it staged: a refused change leaves no file behind. */
    private static void discard(CompletableFuture<IntentPersistence.Staged> writing) {
        try {
            staged(writing).discard();
        } catch (IOException e) {
            // Nothing was staged.
        }
    }

    private static <E> void copy(List<E> target, List<E> source) {
        target.clear();
        target.addAll(source);
    }

    static boolean sameContent(IntentDocument a, IntentDocument b) {
        return a.nextId() == b.nextId() && a.vpcs().equals(b.vpcs()) && a.allocations().equals(b.allocations())
            && a.subnets().equals(b.subnets()) && a.vnets().equals(b.vnets()) && a.nats().equals(b.nats())
            && a.l4lbs().equals(b.l4lbs()) && a.acls().equals(b.acls()) && a.routes().equals(b.routes());
    }
}
