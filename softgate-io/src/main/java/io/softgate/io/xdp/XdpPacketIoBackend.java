package io.softgate.io.xdp;

import io.softgate.core.io.BackendChecks;
import io.softgate.core.io.PacketIo;
import io.softgate.core.io.PacketIoBackend;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.packet.VxlanFlyweight;
import io.softgate.io.jnr.Capabilities;
import io.softgate.io.jnr.Native;
import io.softgate.io.jnr.NativeException;
import io.softgate.io.jnr.NetworkNamespace;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.function.IntPredicate;

/**
 * The AF_XDP backend ({@code io.backend = af_xdp}): one AF_XDP socket per worker, bound to
 * interface queue {@code firstQueue + workerId}, receiving and sending in the worker's own frames
 * (the {@link FrameMemory} region is the UMEM). On the first {@link #open} it loads
 * {@link XdpSteeringProgram} (VXLAN to our VTEP goes to the sockets, everything else to the
 * kernel) and attaches it to the interface with a BPF link; {@link #close} detaches it, and so
 * does the process's exit or crash (the kernel closes the link).
 *
 * <p>Modes: the program runs in the driver (native) where the driver supports it, else generic;
 * sockets bind zero-copy where the driver supports it, else copy mode (always copy on veth). Both
 * are chosen automatically, or forced with {@link Builder#xdpMode} / {@link Builder#copyMode};
 * the choice is logged once per backend, with the reason for any fallback. A bind refused with
 * EBUSY (the kernel has not yet released the queue from a previous socket) is retried every
 * 100 ms for up to {@link Builder#bindRetries} tries.
 *
 * <p>Availability: JNR-FFI loads, the kernel has AF_XDP (and BPF links for XDP, Linux 5.9+), and
 * the process has CAP_NET_ADMIN, CAP_NET_RAW and CAP_BPF (or CAP_SYS_ADMIN). No libbpf or libxdp
 * is needed: everything is raw system calls.
 * Large UMEMs also need CAP_IPC_LOCK (or a high memlock limit).
 *
 * <p>Threading: {@link #name}, {@link #isAvailable}, {@link #unavailabilityCause} from any thread;
 * {@link #open} and {@link #close} on the control thread.
 */
public final class XdpPacketIoBackend implements PacketIoBackend {
    /** Backend name in configuration. */
    public static final String NAME = "af_xdp";
    private static final Logger LOG = System.getLogger(XdpPacketIoBackend.class.getName());
    private static final long BIND_RETRY_NS = 100_000_000L;

    private final Settings settings;
    private final Throwable unavailabilityCause;
    private final XdpPacketIo[] opened;
    private XdpSteeringProgram program;
    /** The BPF link holding the program on the interface; closing it detaches. */
    private int linkFd = -1;
    private int attachFlags;
    private boolean logged;
    private boolean closed;
    /** How the sockets were bound (for {@link #describeModes}). */
    private String modeDescription = "not opened";

    private XdpPacketIoBackend(Settings settings) {
        this.settings = settings;
        this.opened = new XdpPacketIo[settings.maxWorkers];
        this.unavailabilityCause = probe(settings.capabilities);
    }

    public static Builder builder() {
        return new Builder();
    }

    private static Throwable probe(IntPredicate hasCapability) {
        if (!Native.isAvailable()) {
            return new IllegalStateException("JNR-FFI cannot bind the C library: " + Native.unavailabilityCause(),
                Native.unavailabilityCause());
        }
        StringBuilder missing = new StringBuilder();
        if (!hasCapability.test(Capabilities.CAP_NET_ADMIN)) {
            missing.append(" CAP_NET_ADMIN");
        }
        if (!hasCapability.test(Capabilities.CAP_NET_RAW)) {
            missing.append(" CAP_NET_RAW");
        }
        if (!hasCapability.test(Capabilities.CAP_BPF) && !hasCapability.test(Capabilities.CAP_SYS_ADMIN)) {
            missing.append(" CAP_BPF");
        }
        if (missing.length() > 0) {
            return new IllegalStateException("the process lacks" + missing
                + " (AF_XDP needs CAP_NET_ADMIN, CAP_NET_RAW, CAP_BPF and, for large UMEMs, CAP_IPC_LOCK)");
        }
        int fd = Native.libc().socket(XdpConstants.AF_XDP, XdpConstants.SOCK_RAW | XdpConstants.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            return new IllegalStateException("the kernel refuses AF_XDP sockets: " + Native.describe(Native.errno()));
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

    /** How program and sockets run, e.g. "program native, sockets copy (zero-copy refused: ...)". */
    public synchronized String describeModes() {
        return modeDescription;
    }

    /**
     * Opens worker {@code workerId}'s socket on queue {@code firstQueue + workerId}, loading and
     * attaching the steering program on the first call.
     *
     * @throws IOException when the interface is missing, the program cannot be attached (another
     *     XDP program is already there), or the socket cannot be bound in an allowed mode
     */
    @Override
    public synchronized PacketIo open(int workerId, int workerCount, FramePool pool) throws IOException {
        BackendChecks.checkOpen(NAME, closed, workerId, workerCount);
        ensureAvailable();
        if (workerCount > opened.length) {
            throw new IllegalArgumentException("at most " + opened.length + " workers (maxWorkers): " + workerCount);
        }
        if (opened[workerId] != null) {
            throw new IllegalStateException("worker " + workerId + "'s queue is already open");
        }
        FrameMemory memory = pool.memory();
        int frameSize = memory.frameSize();
        if (frameSize < 2048 || frameSize > 4096) {
            throw new IllegalArgumentException("AF_XDP needs frames of 2048 or 4096 bytes (a UMEM chunk), not " + frameSize);
        }
        if (settings.maxFrameBytes > frameSize - XdpConstants.XDP_PACKET_HEADROOM) {
            throw new IllegalArgumentException("maxFrameBytes " + settings.maxFrameBytes + " exceeds a " + frameSize
                + "-byte frame minus the kernel's " + XdpConstants.XDP_PACKET_HEADROOM + "-byte headroom");
        }
        int queue = settings.firstQueue + workerId;
        try (NetworkNamespace.Scope scope = NetworkNamespace.enter(settings.networkNamespace)) {
            int ifindex = Native.libc().if_nametoindex(settings.interfaceName);
            if (ifindex == 0) {
                throw new IOException("no interface " + settings.interfaceName
                    + (settings.networkNamespace == null ? "" : " in namespace " + settings.networkNamespace));
            }
            if (program == null) {
                attachProgram(ifindex);
            }
            XdpSocket socket = bind(ifindex, queue, memory);
            try {
                program.register(queue, socket.fd);
            } catch (IOException e) {
                socket.close();
                throw e;
            }
            int fillTarget = Math.max(1, Math.min(settings.fillRingSize, pool.available() / 2));
            XdpPacketIo io = new XdpPacketIo(NAME + ":" + settings.interfaceName + ":" + queue, socket, pool,
                settings.maxFrameBytes, fillTarget, settings.busyPoll.enabled(), () -> forget(workerId, queue));
            opened[workerId] = io;
            return io;
        }
    }

    private void attachProgram(int ifindex) throws IOException {
        XdpSteeringProgram loaded = XdpSteeringProgram.load(settings.vtepAddress, settings.udpPort, settings.maxQueues);
        String fallback = "";
        int flags = -1;
        int link = -1;
        try {
            if (settings.xdpMode != XdpMode.GENERIC) {
                try {
                    link = loaded.attach(ifindex, XdpConstants.XDP_FLAGS_DRV_MODE,
                        "attach XDP program in native mode to " + settings.interfaceName);
                    flags = XdpConstants.XDP_FLAGS_DRV_MODE;
                } catch (NativeException e) {
                    if (settings.xdpMode == XdpMode.NATIVE || e.errno() == Native.EBUSY) {
                        throw withHint(e);
                    }
                    fallback = " (native refused: " + Native.describe(e.errno()) + ")";
                }
            }
            if (link < 0) {
                link = loaded.attach(ifindex, XdpConstants.XDP_FLAGS_SKB_MODE,
                    "attach XDP program in generic mode to " + settings.interfaceName);
                flags = XdpConstants.XDP_FLAGS_SKB_MODE;
            }
        } catch (NativeException e) {
            loaded.close();
            throw withHint(e);
        }
        program = loaded;
        linkFd = link;
        attachFlags = flags;
        modeDescription = "program " + (flags == XdpConstants.XDP_FLAGS_DRV_MODE ? "native" : "generic") + fallback;
    }

    private NativeException withHint(NativeException e) {
        if (e.errno() == Native.EBUSY && !e.getMessage().contains("another XDP program")) {
            return new NativeException(e.getMessage().replace(" failed: ", "") + " (another XDP program is attached"
                + " to " + settings.interfaceName + ": softgate never replaces it)", e.errno());
        }
        return e;
    }

    private XdpSocket bind(int ifindex, int queue, FrameMemory memory) throws IOException {
        XdpSocket.RingSizes sizes = new XdpSocket.RingSizes(settings.fillRingSize, settings.completionRingSize,
            settings.rxRingSize, settings.txRingSize);
        String fallback = "";
        XdpSocket socket = null;
        boolean native_ = attachFlags == XdpConstants.XDP_FLAGS_DRV_MODE;
        if (settings.copyMode == XdpCopyMode.ZERO_COPY || (settings.copyMode == XdpCopyMode.AUTO && native_)) {
            try {
                socket = bindWithRetries(ifindex, queue, memory, sizes, XdpConstants.XDP_ZEROCOPY);
            } catch (NativeException e) {
                if (settings.copyMode == XdpCopyMode.ZERO_COPY) {
                    throw e;
                }
                fallback = " (zero-copy refused: " + Native.describe(e.errno()) + ")";
            }
        } else if (settings.copyMode == XdpCopyMode.AUTO) {
            fallback = " (zero-copy needs the program in native mode)";
        }
        if (socket == null) {
            socket = bindWithRetries(ifindex, queue, memory, sizes, XdpConstants.XDP_COPY);
        }
        if (!logged) {
            logged = true;
            modeDescription = modeDescription + ", sockets " + (socket.bindFlags == (XdpConstants.XDP_ZEROCOPY
                | XdpConstants.XDP_USE_NEED_WAKEUP) ? "zero-copy" : "copy") + fallback
                + (settings.busyPoll.enabled() ? ", busy polling " + settings.busyPoll.busyPollMicros() + " us budget "
                + settings.busyPoll.budget() : "");
            LOG.log(Level.INFO, "AF_XDP on " + settings.interfaceName + " for VTEP " + Ipv4Flyweight.format(settings.vtepAddress)
                + ":" + settings.udpPort + ": " + modeDescription);
        }
        return socket;
    }

    private XdpSocket bindWithRetries(int ifindex, int queue, FrameMemory memory, XdpSocket.RingSizes sizes, int mode)
        throws IOException {
        int flags = mode | XdpConstants.XDP_USE_NEED_WAKEUP;
        for (int attempt = 0; ; attempt++) {
            try {
                return XdpSocket.open(ifindex, queue, memory, sizes, flags, settings.busyPoll);
            } catch (NativeException e) {
                if (e.errno() != Native.EBUSY || attempt >= settings.bindRetries) {
                    throw e;
                }
                // The kernel frees a queue some time after its previous socket closed (BUILD-FACTS).
                java.util.concurrent.locks.LockSupport.parkNanos(BIND_RETRY_NS);
            }
        }
    }

    private synchronized void forget(int workerId, int queue) {
        opened[workerId] = null;
        if (program != null) {
            program.unregister(queue);
        }
    }

    /** Closes every socket still open, detaches and unloads the program. Idempotent. */
    @Override
    public void close() {
        XdpPacketIo[] queues;
        synchronized (this) {
            closed = true;
            queues = opened.clone();
        }
        for (XdpPacketIo queue : queues) {
            if (queue != null) {
                queue.close();
            }
        }
        synchronized (this) {
            if (program != null) {
                Native.closeQuietly(linkFd);
                linkFd = -1;
                program.close();
                program = null;
            }
        }
    }

    /** Settings checked by the builder; never changed after {@link Builder#build()}. */
    private static final class Settings {
        String interfaceName;
        String networkNamespace;
        int vtepAddress;
        int udpPort;
        int firstQueue;
        int maxWorkers;
        int maxQueues;
        int fillRingSize;
        int completionRingSize;
        int rxRingSize;
        int txRingSize;
        int maxFrameBytes;
        int bindRetries;
        XdpMode xdpMode;
        XdpCopyMode copyMode;
        BusyPoll busyPoll;
        IntPredicate capabilities;
    }

    /**
     * Configures an {@link XdpPacketIoBackend}; the interface and the VTEP address are required.
     *
     * <p>Threading: confined to the building thread.
     */
    public static final class Builder {
        private String interfaceName;
        private String networkNamespace;
        private String vtepAddress;
        private int udpPort = VxlanFlyweight.UDP_PORT;
        private int firstQueue;
        private int maxWorkers = 64;
        private int ringSize = 2048;
        private int maxFrameBytes = 1514;
        private int bindRetries = 30;
        private XdpMode xdpMode = XdpMode.AUTO;
        private XdpCopyMode copyMode = XdpCopyMode.AUTO;
        private BusyPoll busyPoll = BusyPoll.OFF;
        private IntPredicate capabilities = Capabilities::has;

        /** The interface facing the fabric (its queues carry the VXLAN traffic). */
        public Builder interfaceName(String name) {
            this.interfaceName = name;
            return this;
        }

        /** Named network namespace (ip netns) of the interface; default: the caller's. */
        public Builder networkNamespace(String name) {
            this.networkNamespace = name;
            return this;
        }

        /** Our VTEP address: only UDP to this address and {@link #udpPort} is steered to the sockets. */
        public Builder vtepAddress(String address) {
            this.vtepAddress = address;
            return this;
        }

        /** VXLAN UDP port steered to the sockets (default 4789, RFC 7348 §5). */
        public Builder udpPort(int port) {
            this.udpPort = port;
            return this;
        }

        /** Interface queue of worker 0 (default 0); worker i uses queue firstQueue + i. */
        public Builder firstQueue(int queue) {
            this.firstQueue = queue;
            return this;
        }

        /** Most workers (sockets) the backend will serve (default 64; sizes the XSKMAP). */
        public Builder maxWorkers(int workers) {
            this.maxWorkers = workers;
            return this;
        }

        /** Entries of each ring (fill, completion, RX, TX; power of two, default 2048). */
        public Builder ringSize(int entries) {
            this.ringSize = entries;
            return this;
        }

        /** Largest frame received or sent, Ethernet header included (default 1514). */
        public Builder maxFrameBytes(int bytes) {
            this.maxFrameBytes = bytes;
            return this;
        }

        /** EBUSY retries at 100 ms when binding a queue that was just released (default 30). */
        public Builder bindRetries(int retries) {
            this.bindRetries = retries;
            return this;
        }

        /** Where the program runs (default {@link XdpMode#AUTO}). */
        public Builder xdpMode(XdpMode mode) {
            this.xdpMode = mode;
            return this;
        }

        /** Zero-copy or copy (default {@link XdpCopyMode#AUTO}). */
        public Builder copyMode(XdpCopyMode mode) {
            this.copyMode = mode;
            return this;
        }

        /** Busy-poll options (default {@link BusyPoll#OFF}; {@link BusyPoll#recommended()} when sharing a core). */
        public Builder busyPoll(BusyPoll options) {
            this.busyPoll = options;
            return this;
        }

        /** Test hook: which capabilities the availability check believes the process has. */
        Builder capabilityCheck(IntPredicate hasCapability) {
            this.capabilities = hasCapability;
            return this;
        }

        /** Checks the settings; throws {@link IllegalArgumentException} naming the bad one. */
        public XdpPacketIoBackend build() {
            if (interfaceName == null || interfaceName.isEmpty() || interfaceName.length() > 15) {
                throw new IllegalArgumentException("interfaceName must be 1-15 characters: " + interfaceName);
            }
            if (vtepAddress == null) {
                throw new IllegalArgumentException("vtepAddress must be set");
            }
            Settings settings = new Settings();
            try {
                settings.vtepAddress = Ipv4Flyweight.parse(vtepAddress);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("vtepAddress is not an IPv4 address: " + vtepAddress, e);
            }
            if (udpPort <= 0 || udpPort > 65535) {
                throw new IllegalArgumentException("udpPort must be in [1, 65535]: " + udpPort);
            }
            if (ringSize < 8 || ringSize > (1 << 16) || Integer.bitCount(ringSize) != 1) {
                throw new IllegalArgumentException("ringSize must be a power of two in [8, 65536]: " + ringSize);
            }
            if (maxWorkers < 1 || maxWorkers > 1024 || firstQueue < 0 || firstQueue > 4096) {
                throw new IllegalArgumentException("maxWorkers must be in [1, 1024] and firstQueue in [0, 4096]");
            }
            if (maxFrameBytes < 60 || maxFrameBytes > 4096 - XdpConstants.XDP_PACKET_HEADROOM) {
                throw new IllegalArgumentException("maxFrameBytes must be in [60, 3840]: " + maxFrameBytes);
            }
            if (bindRetries < 0 || xdpMode == null || copyMode == null || busyPoll == null) {
                throw new IllegalArgumentException("bindRetries must be >= 0 and the modes and busyPoll set");
            }
            if (busyPoll.enabled() && (busyPoll.busyPollMicros() <= 0 || busyPoll.budget() <= 0)) {
                throw new IllegalArgumentException("busy polling needs busyPollMicros > 0 and budget > 0: " + busyPoll);
            }
            settings.interfaceName = interfaceName;
            settings.networkNamespace = networkNamespace;
            settings.udpPort = udpPort;
            settings.firstQueue = firstQueue;
            settings.maxWorkers = maxWorkers;
            settings.maxQueues = firstQueue + maxWorkers;
            settings.fillRingSize = ringSize;
            settings.completionRingSize = ringSize;
            settings.rxRingSize = ringSize;
            settings.txRingSize = ringSize;
            settings.maxFrameBytes = maxFrameBytes;
            settings.bindRetries = bindRetries;
            settings.xdpMode = xdpMode;
            settings.copyMode = copyMode;
            settings.busyPoll = busyPoll;
            settings.capabilities = capabilities;
            return new XdpPacketIoBackend(settings);
        }
    }
}
