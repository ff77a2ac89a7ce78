package io.softgate.service.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.BiConsumer;
import net.openhft.chronicle.map.ChronicleMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable copy of the NAT sessions (DESIGN §4, hitless restart): a memory-mapped Chronicle Map
 * file in the state directory, keyed by a session's inside key ({@link SessionRecord}). Written
 * by the store's control thread only, read only at start-up (reload), never per packet.
 *
 * <p>Opening after a crash ({@code kill -9}) recovers the file (segment locks held by the dead
 * process are released). A file that cannot be opened or recovered (corrupt, truncated, another
 * format) is moved aside as {@code <name>.unreadable-<epoch ms>} with a clear log line, and the
 * store starts empty: the node comes up without its old sessions rather than not at all.
 *
 * <p>Threading: one thread at a time (the control thread); not for concurrent use.
 */
public final class SessionStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionStore.class);
    /** Chronicle Map's header starts with this many bytes; anything shorter cannot be a map file. */
    private static final long MIN_FILE_BYTES = 4096;
    private static final byte[] MAP_CLASS_TAG =
        "!net.openhft.chronicle.map.VanillaChronicleMap".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final ChronicleMap<byte[], byte[]> map;
    private final Path file;
    private final String openedHow;

    private SessionStore(ChronicleMap<byte[], byte[]> map, Path file, String openedHow) {
        this.map = map;
        this.file = file;
        this.openedHow = openedHow;
    }

    /**
     * Opens (recovering) or creates the store at {@code file} sized for {@code entries} sessions.
     *
     * @throws IOException only when not even a fresh file can be created
     */
    public static SessionStore open(Path file, int entries) throws IOException {
        return open(file, entries, "softgate-nat-sessions", SessionRecord.KEY_BYTES, SessionRecord.VALUE_BYTES);
    }

    /**
     * As {@link #open(Path, int)} for another kind of record: {@code name} is the map's name,
     * {@code keyBytes} and {@code valueBytes} the constant sizes of its keys and values.
     */
    static SessionStore open(Path file, int entries, String name, int keyBytes, int valueBytes) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (Files.exists(file)) {
            String problem = null;
            if (Files.size(file) < MIN_FILE_BYTES) {
                problem = "only " + Files.size(file) + " bytes, not a session store";
            } else if (!looksLikeAMapFile(file)) {
                // Chronicle Map would wait a minute for a header that never becomes ready: check first.
                problem = "no Chronicle Map header";
            } else {
                try {
                    Path cleanMarker = cleanMarker(file);
                    if (Files.deleteIfExists(cleanMarker)) {
                        // The last process closed the file: a plain open, no recovery needed.
                        return new SessionStore(builder(entries, name, keyBytes, valueBytes).createPersistedTo(file.toFile()),
                            file, "reopened");
                    }
                    // The last process died with the file open (kill -9, crash): we are the only user, so
                    // recovery may release what it held and repair (and report) half-written entries.
                    int[] corruptions = new int[1];
                    ChronicleMap<byte[], byte[]> map = builder(entries, name, keyBytes, valueBytes).recoverPersistedTo(file.toFile(), true,
                        corruption -> {
                            if (corruptions[0]++ < 10) {
                                LOG.warn("session store {}: recovered from {}", file, corruption.message());
                            }
                        });
                    return new SessionStore(map, file, corruptions[0] == 0 ? "recovered after an unclean stop"
                        : "recovered after an unclean stop (" + corruptions[0] + " corruption(s) repaired)");
                } catch (IOException | RuntimeException | LinkageError e) {
                    problem = e.toString();
                }
            }
            Path aside = file.resolveSibling(file.getFileName() + ".unreadable-" + System.currentTimeMillis());
            LOG.error("session store {} cannot be read ({}); moved to {}, starting with no persisted sessions",
                file, problem, aside);
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
        }
        return new SessionStore(builder(entries, name, keyBytes, valueBytes).createPersistedTo(file.toFile()), file,
            "created");
    }

    /**
     * A map file starts with an 8-byte checksum, a 4-byte header length (little-endian, two flag
     * bits on top) and the header text naming the map class.
     */
    private static boolean looksLikeAMapFile(Path file) throws IOException {
        byte[] start = new byte[12 + MAP_CLASS_TAG.length];
        try (java.io.InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(start, 0, start.length) != start.length) {
                return false;
            }
        }
        long headerLength = java.nio.ByteBuffer.wrap(start, 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt()
            & 0x3FFF_FFFFL;
        return headerLength > MAP_CLASS_TAG.length && headerLength < Files.size(file)
            && java.util.Arrays.equals(start, 12, start.length, MAP_CLASS_TAG, 0, MAP_CLASS_TAG.length);
    }

    /**
     * Sessions a new file is laid out for; it grows in extra tiers up to the configured maximum.
     * Opening after a crash (recovery) and the start-up reload walk every slot the file was laid
     * out with, live or not: sized for the NAT maximum (1M by default, a 100 MB file) that walk
     * cost seconds of CPU in every restart, most of the outage. Laid out for what a node usually
     * holds, it costs milliseconds, and a node that really holds more pays in proportion.
     */
    static final int INITIAL_ENTRIES = 65_536;
    /** Chronicle Map's limit on growth beyond the laid-out entries. */
    private static final int MAX_BLOAT_FACTOR = 1_000;

    private static net.openhft.chronicle.map.ChronicleMapBuilder<byte[], byte[]> builder(int entries, String name,
                                                                                      int keyBytes, int valueBytes) {
        int laidOut = Math.max(1024, Math.min(entries, INITIAL_ENTRIES));
        double bloat = Math.min(MAX_BLOAT_FACTOR, Math.max(1.0, Math.ceil((double) entries / laidOut) * 1.25));
        return ChronicleMap.of(byte[].class, byte[].class)
            .name(name)
            .entries(laidOut)
            .maxBloatFactor(bloat)
            .constantKeySizeBySample(new byte[keyBytes])
            .constantValueSizeBySample(new byte[valueBytes]);
    }

    /**
     * Loads and initialises Chronicle Map's classes on a daemon thread ({@code
     * softgate-session-store-warm-up}): what the first map of a JVM spends before it touches a file
     * (class loading, the libraries' static set-up), done while the service parses its
     * configuration. Harmless if the store is never opened; failures are left for {@link #open}
     * to report.
     */
    public static void warmUpInBackground() {
        Thread thread = new Thread(() -> {
            try {
                builder(1024, "warm-up", SessionRecord.KEY_BYTES, SessionRecord.VALUE_BYTES);
                Class.forName("net.openhft.chronicle.map.VanillaChronicleMap");
                Class.forName("net.openhft.chronicle.map.impl.CompiledMapIterationContext");
                Class.forName("net.openhft.chronicle.map.impl.CompiledMapQueryContext");
                Class.forName("net.openhft.chronicle.hash.VanillaGlobalMutableState$$Native");
            } catch (ClassNotFoundException | RuntimeException | LinkageError e) {
                // The open reports it (or works without the pre-generated class, only slower).
            }
        }, "softgate-session-store-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    /** "created" or "reopened". */
    public String openedHow() {
        return openedHow;
    }

    public Path file() {
        return file;
    }

    public int size() {
        return map.size();
    }

    /** Stores (or replaces) a session record. */
    public void put(byte[] key, byte[] value) {
        map.put(key, value);
    }

    /** Copies the value of {@code key} into {@code valueOut}; false when absent. */
    public boolean get(byte[] key, byte[] valueOut) {
        return map.getUsing(key, valueOut) != null;
    }

    public void remove(byte[] key) {
        map.remove(key);
    }

    /** Visits every stored record (start-up reload); the arrays are fresh per entry. */
    public void forEach(BiConsumer<byte[], byte[]> visitor) {
        map.forEach(visitor);
    }

    /** Removes every stored record (tests, or after a reload that refused the file's contents). */
    public void clear() {
        map.clear();
    }

    /** Closes the file and marks it cleanly closed (the next open skips recovery). */
    @Override
    public void close() {
        map.close();
        try {
            Files.write(cleanMarker(file), new byte[0]);
        } catch (IOException e) {
            LOG.warn("cannot mark the session store closed ({}); the next start recovers it", e.toString());
        }
    }

    private static Path cleanMarker(Path file) {
        return file.resolveSibling(file.getFileName() + ".closed");
    }
}
