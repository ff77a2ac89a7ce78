package io.softgate.core.io;

/**
 * Constants of the classic libpcap file format: a 24-byte global header, then records of a
 * 16-byte header and the captured bytes. Every multi-byte field is in the byte order of the
 * writer, which the reader learns from how the magic number reads.
 *
 * <pre>
 * global header: magic(4) version_major(2) version_minor(2) thiszone(4) sigfigs(4) snaplen(4) network(4)
 * record header: ts_sec(4) ts_frac(4) incl_len(4) orig_len(4)   (ts_frac: microseconds, or nanoseconds)
 * </pre>
 *
 * <p>Threading: constants only.
 */
public final class PcapFormat {
    /** Magic of a file with microsecond timestamps, as read in the writer's byte order. */
    public static final int MAGIC_MICROSECONDS = 0xA1B2C3D4;
    /** Magic of a file with nanosecond timestamps, as read in the writer's byte order. */
    public static final int MAGIC_NANOSECONDS = 0xA1B23C4D;
    /** First four bytes of a pcapng file (Section Header Block type), which this reader does not parse. */
    public static final int PCAPNG_BLOCK_TYPE = 0x0A0D0D0A;
    public static final int VERSION_MAJOR = 2;
    public static final int VERSION_MINOR = 4;
    /** LINKTYPE_ETHERNET: records start with an Ethernet header. */
    public static final int LINKTYPE_ETHERNET = 1;
    public static final int GLOBAL_HEADER_LENGTH = 24;
    public static final int RECORD_HEADER_LENGTH = 16;
    /** Snap length we write: large enough that no Ethernet frame is cut. */
    public static final int DEFAULT_SNAP_LENGTH = 65535;
    /**
     * Largest record length accepted whatever the file's snap length says (libpcap's own ceiling
     * for most link types); a longer incl_len means the file is corrupt, not that the packet is big.
     */
    public static final int MAX_RECORD_LENGTH = 262144;

    private PcapFormat() {
    }
}
