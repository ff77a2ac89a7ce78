package io.softgate.service.intent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Keeps the applied intent in {@code <stateDir>/intent.json}: written to a temporary file,
 * fsynced, renamed over the old one and the directory fsynced, so a crash leaves either the
 * previous or the new document, never a torn one. The replaced document stays beside it
 * ({@code intent.json.previous}, a hard link) until the change is published or put back
 * ({@link Replaced}); {@link #load} never reads it.
 *
 * <p>Threading: called by the one thread applying a change (and at start).
 */
public final class IntentPersistence {
    public static final String FILE_NAME = "intent.json";
    /** The document a commit replaced, kept until its change is published ({@link Replaced}). */
    public static final String PREVIOUS_FILE_NAME = FILE_NAME + ".previous";
    private static final ObjectMapper JSON = new ObjectMapper()
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private final Path directory;

    public IntentPersistence(Path directory) {
        this.directory = directory;
    }

    public Path file() {
        return directory.resolve(FILE_NAME);
    }

    /** The persisted document, or null when none was ever written. */
    public IntentDocument load() throws IOException {
        Path file = file();
        if (!Files.exists(file)) {
            return null;
        }
        return JSON.readValue(file.toFile(), IntentDocument.class);
    }

    /** Writes {@code document} durably and makes it the persisted one ({@link #stage} then {@link Staged#commit}). */
    public void save(IntentDocument document) throws IOException {
        stage(document).commit().release();
    }

    /**
     * The slow half of {@link #save}: serialises {@code document} into the temporary file and
     * fsyncs it, without touching the persisted document; {@link Staged#commit} then renames it
     * into place. Lets the applying thread compile while this runs, and still make the change
     * durable (rename, directory fsync) only once the compile succeeded.
     */
    public Staged stage(IntentDocument document) throws IOException {
        Files.createDirectories(directory);
        byte[] bytes = serialize(document);
        Path temporary = directory.resolve(FILE_NAME + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        return new Staged(temporary);
    }

    /** The persisted form of {@code document} (pretty-printed JSON). */
    static byte[] serialize(IntentDocument document) throws IOException {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(document);
    }

    /** A second name for the persisted file (no copy); a copy where the file system has no hard links. */
    private void keepAside(Path previous) throws IOException {
        try {
            Files.createLink(previous, file());
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(file(), previous, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void syncDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some file systems cannot open a directory for fsync; the rename itself is atomic.
        }
    }

    /**
     * The document a {@link Staged#commit} replaced (none on a first save): put back while the
     * change is not published, dropped once it is. A crash in between leaves the new document as
     * the persisted one (the change was durable; its answer never went out) and a stale
     * {@code intent.json.previous}, which the next commit replaces.
     *
     * <p>Threading: used by the thread that committed.
     */
    public final class Replaced {
        private final Path previous;

        private Replaced(Path previous) {
            this.previous = previous;
        }

        /** Makes the replaced document the persisted one again (none: removes the file). */
        public void restore() throws IOException {
            if (previous == null) {
                Files.deleteIfExists(file());
            } else {
                Files.move(previous, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory();
        }

        /** Drops the replaced document: the new one stays. */
        public void release() {
            if (previous == null) {
                return;
            }
            try {
                Files.deleteIfExists(previous);
            } catch (IOException e) {
                // Harmless: the next commit replaces it, and load never reads it.
            }
        }
    }

    /**
     * A document written and fsynced beside the persisted one: {@link #commit} makes it the
     * persisted document, {@link #discard} drops it.
     *
     * <p>Threading: used by one thread at a time (the applying thread, after the writer handed it over).
     */
    public final class Staged {
        private final Path temporary;

        private Staged(Path temporary) {
            this.temporary = temporary;
        }

        /**
         * Renames the staged file over the persisted one and fsyncs the directory (the rename's
         * durability), keeping the persisted one aside: the caller {@link Replaced#release}s it
         * once the change is published, or {@link Replaced#restore}s it when the publish fails.
         */
        public Replaced commit() throws IOException {
            Path previous = directory.resolve(PREVIOUS_FILE_NAME);
            Files.deleteIfExists(previous);
            boolean hadFile = Files.exists(file());
            if (hadFile) {
                keepAside(previous);
            }
            try {
                Files.move(temporary, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.deleteIfExists(previous);
                throw new IOException("state directory " + directory + " does not support atomic rename", e);
            } catch (IOException e) {
                Files.deleteIfExists(previous);
                throw e;
            }
            syncDirectory();
            return new Replaced(hadFile ? previous : null);
        }

        /** Deletes the staged file; the persisted document stays as it was. */
        public void discard() {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException e) {
                // The next stage truncates it anyway.
            }
        }
    }
}
