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
 * previous or the new document, never a torn one.
 *
 * <p>Threading: called by the one thread applying a change (and at start).
 */
public final class IntentPersistence {
    public static final String FILE_NAME = "intent.json";
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
        stage(document).commit();
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

        /** Renames the staged file over the persisted one and fsyncs the directory (the rename's durability). */
        public void commit() throws IOException {
            try {
                Files.move(temporary, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("state directory " + directory + " does not support atomic rename", e);
            }
            try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException e) {
                // Some file systems cannot open a directory for fsync; the rename itself is atomic.
            }
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
