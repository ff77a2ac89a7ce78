package io.softgate.io.tun;

import io.softgate.core.io.BackendChecks;
import io.softgate.core.io.PacketIo;
import io.softgate.core.io.PacketIoBackend;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.io.jnr.Capabilities;
import io.softgate.io.jnr.LibC;
import io.softgate.io.jnr.Native;
import io.softgate.io.jnr.NativeException;
import io.softgate.io.jnr.NetworkNamespace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The TUN/TAP backend (the service opens it as the {@code io.tun} uplink): each worker attaches its own queue to one
 * TUN or TAP device through /dev/net/tun and TUNSETIFF (IFF_NO_PI, and IFF_MULTI_QUEUE so every
 * worker gets a queue of its own; the kernel spreads flows over the queues). The device is
 * created if it does not exist (then it disappears when the last queue closes) or attached to if
 * it was made persistent beforehand, e.g. {@code ip tuntap add dev up0 mode tun multi_queue}.
 * Addresses, MTU and link state of the device are configured outside (ip link / ip addr).
 *
 * <p><b>An IP port.</b> In {@link TunMode#TUN} the backend hands the pipeline IP packets, not
 * Ethernet frames: see {@link #linkLayerHeaderBytes()} and {@code PacketFlags.L3_PACKET}, which
 * every packet received on such a port carries. A pipeline that expects outer Ethernet/VXLAN must
 * route such packets to its IP-uplink stages. In {@link TunMode#TAP} frames are Ethernet.
 *
 * <p>Availability: JNR-FFI must load, /dev/net/tun must exist and open, and the process needs
 * CAP_NET_ADMIN (TUNSETIFF) unless the device is persistent and owned by its user.
 *
 * <p>Threading: {@link #name}, {@link #isAvailable}, {@link #unavailabilityCause} from any thread;
 * {@link #open} and {@link #close} on the control thread.
 */
public final class TunPacketIoBackend implements PacketIoBackend {
    /** Backend name in configuration. */
    public static final String NAME = "tun";
    /** The clone device. */
    public static final Path CLONE_DEVICE = Path.of("/dev/net/tun");

    private static final int O_RDWR = 2;
    private static final int O_NONBLOCK = 0x800;
    private static final int O_CLOEXEC = 0x80000;
    /** _IOW('T', 202, int). */
    private static final long TUNSETIFF = 0x4004_54CAL;
    private static final int IFF_NO_PI = 0x1000;
    private static final int IFF_MULTI_QUEUE = 0x0100;
    /** struct ifreq: 16 name bytes, then a union whose first member is short ifr_flags. */
    private static final int IFREQ_BYTES = 40;
    private static final int IFNAMSIZ = 16;

    private final Settings settings;
    private final Throwable unavailabilityCause;
    private final TunPacketIo[] opened = new TunPacketIo[256];
    private boolean closed;

    private TunPacketIoBackend(Settings settings) {
        this.settings = settings;
        this.unavailabilityCause = probe(settings.cloneDevice);
    }

    public static Builder builder() {
        return new Builder();
    }

    private static Throwable probe(Path cloneDevice) {
        if (!Native.isAvailable()) {
            return new IllegalStateException("JNR-FFI cannot bind the C library: " + Native.unavailabilityCause(),
                Native.unavailabilityCause());
        }
        if (!Files.exists(cloneDevice)) {
            return new IllegalStateException(cloneDevice + " does not exist (no tun module, or not visible in this container)");
        }
        int fd = Native.libc().open(cloneDevice.toString(), O_RDWR | O_CLOEXEC);
        if (fd < 0) {
            return new IllegalStateException("cannot open " + cloneDevice + ": " + Native.describe(Native.errno()));
        }
        Native.closeQuietly(fd);
        return null;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isAvailable() {
        return unavailabilityCause == null;
    }

    @Override
    public Throwable unavailabilityCause() {
        return unavailabilityCause;
    }

    /** The device mode: {@link TunMode#TUN} gives IP packets, {@link TunMode#TAP} Ethernet frames. */
    public TunMode mode() {
        return settings.mode;
    }

    /**
     * Bytes of link-layer header in front of the IP header of a received packet: 0 on a TUN
     * (IP) port, 14 or more (802.1Q) on a TAP port. The port attribute the pipeline checks when it
     * wires an ingress port to its stages.
     */
    public int linkLayerHeaderBytes() {
        return settings.mode == TunMode.TUN ? 0 : 14;
    }

    /** The device name queues attach to. */
    public String deviceName() {
        return settings.deviceName;
    }

    /**
     * Attaches worker {@code workerId}'s queue to the device (creating the device if needed).
     *
     * @throws IOException when TUNSETIFF fails (no CAP_NET_ADMIN, a non-multi-queue device that
     *     already has a queue: EBUSY, a device of the other mode: EINVAL)
     */
    @Override
    public synchronized PacketIo open(int workerId, int workerCount, FramePool pool) throws IOException {
        BackendChecks.checkOpen(NAME, closed, workerId, workerCount);
        ensureAvailable();
        if (workerId >= opened.length) {
            throw new IllegalArgumentException("at most " + opened.length + " workers: " + workerId);
        }
        if (opened[workerId] != null) {
            throw new IllegalStateException("worker " + workerId + "'s queue is already open");
        }
        FrameMemory memory = pool.memory();
        if (settings.maxFrameBytes + 1 > memory.frameSize() - memory.headroom()) {
            throw new IllegalArgumentException("maxFrameBytes " + settings.maxFrameBytes
                + " (+1 to detect oversize) does not fit a frame of " + memory.frameSize() + " bytes after "
                + memory.headroom() + " bytes of headroom");
        }
        int fd = attach(workerCount);
        TunPacketIo queue = new TunPacketIo(NAME + ":" + settings.deviceName + ":" + workerId, fd, pool, settings.mode,
            settings.maxFrameBytes, () -> forget(workerId));
        opened[workerId] = queue;
        return queue;
    }

    private int attach(int workerCount) throws IOException {
        if (!settings.multiQueue && workerCount > 1) {
            throw new IllegalArgumentException("a single-queue TUN/TAP device serves one worker, not " + workerCount
                + ": enable multiQueue");
        }
        LibC libc = Native.libc();
        try (NetworkNamespace.Scope scope = NetworkNamespace.enter(settings.networkNamespace)) {
            int fd = Native.check(libc.open(settings.cloneDevice.toString(), O_RDWR | O_NONBLOCK | O_CLOEXEC),
                "open " + settings.cloneDevice);
            UnsafeBuffer ifreq = Native.scratch(IFREQ_BYTES);
            byte[] nameBytes = settings.deviceName.getBytes(StandardCharsets.US_ASCII);
            ifreq.putBytes(0, nameBytes);
            int flags = settings.mode.interfaceFlag() | IFF_NO_PI | (settings.multiQueue ? IFF_MULTI_QUEUE : 0);
            ifreq.putShort(IFNAMSIZ, (short) flags);
            if (libc.ioctl(fd, TUNSETIFF, ifreq.addressOffset()) < 0) {
                int errno = Native.errno();
                Native.closeQuietly(fd);
                String hint = errno == Native.EPERM && !Capabilities.has(Capabilities.CAP_NET_ADMIN)
                    ? " (the process lacks CAP_NET_ADMIN)" : "";
                throw new NativeException("TUNSETIFF " + settings.deviceName + " " + settings.mode
                    + (settings.multiQueue ? " multi-queue" : "") + hint, errno);
            }
            return fd;
        }
    }

    private synchronized void forget(int workerId) {
        opened[workerId] = null;
    }

    /** Closes every queue still open. Idempotent. */
    @Override
    public void close() {
        TunPacketIo[] queues;
        synchronized (this) {
            closed = true;
            queues = opened.clone();
        }
        for (TunPacketIo queue : queues) {
            if (queue != null) {
                queue.close();
            }
        }
    }

    /** Settings checked by the builder; never changed after {@link Builder#build()}. */
    private static final class Settings {
        String deviceName;
        TunMode mode;
        boolean multiQueue;
        int maxFrameBytes;
        String networkNamespace;
        Path cloneDevice;
    }

    /**
     * Configures a {@link TunPacketIoBackend}: the device name is required.
     *
     * <p>Threading: confined to the building thread.
     */
    public static final class Builder {
        private String deviceName;
        private TunMode mode = TunMode.TUN;
        private boolean multiQueue = true;
        private int maxFrameBytes = 1514;
        private String networkNamespace;
        private Path cloneDevice = CLONE_DEVICE;

        /** Device to create or attach to (at most 15 ASCII characters). */
        public Builder deviceName(String name) {
            this.deviceName = name;
            return this;
        }

        /** {@link TunMode#TUN} (IP packets, default) or {@link TunMode#TAP} (Ethernet frames). */
        public Builder mode(TunMode tunMode) {
            this.mode = tunMode;
            return this;
        }

        /** IFF_MULTI_QUEUE (default true): one queue per worker; false allows exactly one worker. */
        public Builder multiQueue(boolean enabled) {
            this.multiQueue = enabled;
            return this;
        }

        /**
         * Largest packet in bytes (default 1514: an Ethernet frame of MTU 1500 on TAP; on TUN the
         * IP packet, so set it to the device MTU).
         */
        public Builder maxFrameBytes(int bytes) {
            this.maxFrameBytes = bytes;
            return this;
        }

        /** Named network namespace (ip netns) the device lives in; default: the caller's. */
        public Builder networkNamespace(String name) {
            this.networkNamespace = name;
            return this;
        }

        /** The TUN clone device (default /dev/net/tun; a container may mount it elsewhere). */
        public Builder cloneDevice(String path) {
            this.cloneDevice = Path.of(path);
            return this;
        }

        /** Checks the settings; throws {@link IllegalArgumentException} naming the bad one. */
        public TunPacketIoBackend build() {
            if (deviceName == null || deviceName.isEmpty() || deviceName.length() >= IFNAMSIZ
                || !StandardCharsets.US_ASCII.newEncoder().canEncode(deviceName) || deviceName.contains("/")) {
                throw new IllegalArgumentException("deviceName must be 1-15 ASCII characters without '/': " + deviceName);
            }
            if (mode == null) {
                throw new IllegalArgumentException("mode must be set");
            }
            if (maxFrameBytes < 20 || maxFrameBytes > 65535) {
                throw new IllegalArgumentException("maxFrameBytes must be in [20, 65535]: " + maxFrameBytes);
            }
            Settings settings = new Settings();
            settings.deviceName = deviceName;
            settings.mode = mode;
            settings.multiQueue = multiQueue;
            settings.maxFrameBytes = maxFrameBytes;
            settings.networkNamespace = networkNamespace;
            settings.cloneDevice = cloneDevice;
            return new TunPacketIoBackend(settings);
        }
    }
}
