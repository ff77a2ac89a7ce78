package io.softgate.io.xdp;

import io.softgate.io.jnr.LibC;
import io.softgate.io.jnr.Native;
import io.softgate.io.jnr.NativeException;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The XDP program that steers VXLAN for our VTEP to the AF_XDP sockets and passes everything else
 * to the kernel, assembled here as eBPF instructions (no clang at build time) and loaded with the
 * bpf(2) system call together with its XSKMAP (queue index to socket).
 *
 * <p>What it matches, in order (anything that fails a step gets {@code XDP_PASS}): at least 42
 * bytes (Ethernet + IPv4 without options + UDP); EtherType IPv4 with no VLAN tag; version 4 and
 * IHL 5 (a header with options goes to the kernel); not a fragment (MF clear, offset 0, RFC 791
 * §3.1), since only a whole datagram has the UDP header; protocol UDP; destination address our
 * VTEP; destination port ours (4789, RFC 7348 §5). A match is redirected with
 * {@code bpf_redirect_map(xskmap, rx_queue_index, XDP_PASS)}: the fallback action in the flags
 * means a queue without a socket hands the packet to the kernel instead of dropping it. So ARP,
 * BGP, SSH, ICMP and VXLAN for other addresses all stay with the kernel. The program is attached
 * with a BPF link ({@link #attach}), so it goes away with the process.
 *
 * <p>Threading: control thread only; the file descriptors are closed by {@link #close()}.
 */
final class XdpSteeringProgram implements AutoCloseable {
    private static final long SYS_BPF = 321;
    private static final int BPF_MAP_CREATE = 0;
    private static final int BPF_MAP_UPDATE_ELEM = 2;
    private static final int BPF_MAP_DELETE_ELEM = 3;
    private static final int BPF_PROG_LOAD = 5;
    private static final int BPF_LINK_CREATE = 28;
    /** enum bpf_attach_type BPF_XDP. */
    private static final int BPF_XDP = 37;
    private static final int BPF_MAP_TYPE_XSKMAP = 17;
    private static final int BPF_PROG_TYPE_XDP = 6;
    private static final int BPF_PSEUDO_MAP_FD = 1;
    private static final int BPF_FUNC_REDIRECT_MAP = 51;
    private static final int XDP_PASS = 2;
    private static final int ATTR_BYTES = 128;
    private static final int LOG_BYTES = 64 * 1024;

    // Opcodes: class | size/op | source, from linux/bpf_common.h and linux/bpf.h.
    private static final int LDX_W = 0x61;
    private static final int LDX_H = 0x69;
    private static final int LDX_B = 0x71;
    private static final int MOV64_X = 0xBF;
    private static final int MOV64_K = 0xB7;
    private static final int ADD64_K = 0x07;
    private static final int JGT64_X = 0x2D;
    private static final int JNE32_K = 0x56;
    private static final int JSET32_K = 0x46;
    private static final int LD_IMM64 = 0x18;
    private static final int CALL = 0x85;
    private static final int EXIT = 0x95;

    private final int mapFd;
    private final int programFd;

    private XdpSteeringProgram(int mapFd, int programFd) {
        this.mapFd = mapFd;
        this.programFd = programFd;
    }

    /**
     * Creates an XSKMAP of {@code queues} entries and loads the program matching UDP to
     * {@code vtepAddress}:{@code udpPort} (host-order values).
     */
    static XdpSteeringProgram load(int vtepAddress, int udpPort, int queues) throws IOException {
        int map = createMap(queues);
        try {
            int program = loadProgram(instructions(vtepAddress, udpPort, map));
            return new XdpSteeringProgram(map, program);
        } catch (IOException | RuntimeException e) {
            Native.closeQuietly(map);
            throw e;
        }
    }

    int programFd() {
        return programFd;
    }

    /**
     * Attaches the program to {@code ifindex} through a BPF link ({@code flags}: XDP_FLAGS_DRV_MODE
     * or XDP_FLAGS_SKB_MODE) and returns the link's descriptor. The program stays attached exactly
     * as long as that descriptor is open: closing it detaches, and so does the process's death, so a
     * crashed softgate never leaves its program behind. Fails with EBUSY when another XDP program
     * is attached (never replaced).
     */
    int attach(int ifindex, int flags, String what) throws IOException {
        UnsafeBuffer attr = Native.scratch(ATTR_BYTES);
        attr.putInt(0, programFd);
        attr.putInt(4, ifindex);
        attr.putInt(8, BPF_XDP);
        attr.putInt(12, flags);
        return bpf(BPF_LINK_CREATE, attr, what);
    }

    /** Puts socket {@code socketFd} into the map at {@code queue}: packets steered on that queue go to it. */
    void register(int queue, int socketFd) throws IOException {
        UnsafeBuffer key = Native.scratch(8);
        key.putInt(0, queue);
        key.putInt(4, socketFd);
        UnsafeBuffer attr = Native.scratch(ATTR_BYTES);
        attr.putInt(0, mapFd);
        attr.putLong(8, key.addressOffset());
        attr.putLong(16, key.addressOffset() + 4);
        attr.putLong(24, 0L);
        bpf(BPF_MAP_UPDATE_ELEM, attr, "BPF_MAP_UPDATE_ELEM xskmap[" + queue + "]");
    }

    /** Removes queue {@code queue}'s socket from the map (its packets go to the kernel again). */
    void unregister(int queue) {
        UnsafeBuffer key = Native.scratch(8);
        key.putInt(0, queue);
        UnsafeBuffer attr = Native.scratch(ATTR_BYTES);
        attr.putInt(0, mapFd);
        attr.putLong(8, key.addressOffset());
        Native.libc().syscall(SYS_BPF, BPF_MAP_DELETE_ELEM, attr.addressOffset(), ATTR_BYTES);
    }

    @Override
    public void close() {
        Native.closeQuietly(programFd);
        Native.closeQuietly(mapFd);
    }

    private static int createMap(int entries) throws IOException {
        UnsafeBuffer attr = Native.scratch(ATTR_BYTES);
        attr.putInt(0, BPF_MAP_TYPE_XSKMAP);
        attr.putInt(4, 4);
        attr.putInt(8, 4);
        attr.putInt(12, entries);
        putName(attr, 28, "softgate_xsks");
        return bpf(BPF_MAP_CREATE, attr, "BPF_MAP_CREATE xskmap");
    }

    private static int loadProgram(long[] instructions) throws IOException {
        UnsafeBuffer code = Native.scratch(instructions.length * 8);
        for (int i = 0; i < instructions.length; i++) {
            code.putLong(i * 8, instructions[i], ByteOrder.LITTLE_ENDIAN);
        }
        UnsafeBuffer license = Native.scratch(16);
        license.putBytes(0, "Apache-2.0".getBytes(StandardCharsets.US_ASCII));
        UnsafeBuffer log = Native.scratch(LOG_BYTES);
        UnsafeBuffer attr = Native.scratch(ATTR_BYTES);
        attr.putInt(0, BPF_PROG_TYPE_XDP);
        attr.putInt(4, instructions.length);
        attr.putLong(8, code.addressOffset());
        attr.putLong(16, license.addressOffset());
        attr.putInt(24, 1);
        attr.putInt(28, LOG_BYTES);
        attr.putLong(32, log.addressOffset());
        putName(attr, 48, "softgate_vxlan");
        long fd = Native.libc().syscall(SYS_BPF, BPF_PROG_LOAD, attr.addressOffset(), ATTR_BYTES);
        if (fd < 0) {
            int errno = Native.errno();
            String verifier = log.getStringWithoutLengthAscii(0, LOG_BYTES).trim();
            throw new IOException(new NativeException("BPF_PROG_LOAD (needs CAP_BPF or root)", errno).getMessage()
                + (verifier.isEmpty() ? "" : "; verifier: " + verifier));
        }
        return (int) fd;
    }

    private static int bpf(int command, UnsafeBuffer attr, String what) throws IOException {
        LibC libc = Native.libc();
        long result = libc.syscall(SYS_BPF, command, attr.addressOffset(), ATTR_BYTES);
        if (result < 0) {
            throw new NativeException(what, Native.errno());
        }
        return (int) result;
    }

    private static void putName(UnsafeBuffer attr, int offset, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        attr.putBytes(offset, bytes, 0, Math.min(bytes.length, 15));
    }

    /** The program; packet fields are loaded in memory order, so constants are byte-swapped. */
    static long[] instructions(int vtepAddress, int udpPort, int mapFd) {
        int etherTypeIpv4 = Short.reverseBytes((short) 0x0800) & 0xFFFF;
        int port = Short.reverseBytes((short) udpPort) & 0xFFFF;
        int vtep = Integer.reverseBytes(vtepAddress);
        // r6 = ctx; r2 = data; r3 = data_end (struct xdp_md: data 0, data_end 4, rx_queue_index 16).
        long[] head = {
            insn(MOV64_X, 6, 1, 0, 0),
            insn(LDX_W, 2, 1, 0, 0),
            insn(LDX_W, 3, 1, 4, 0),
            insn(MOV64_X, 4, 2, 0, 0),
            insn(ADD64_K, 4, 0, 0, 42),
        };
        // Each check jumps to "pass" (filled in below) when the packet is not ours.
        long[][] checks = {
            {insn(JGT64_X, 4, 3, 0, 0)},
            {insn(LDX_H, 5, 2, 12, 0), insn(JNE32_K, 5, 0, 0, etherTypeIpv4)},
            {insn(LDX_B, 5, 2, 14, 0), insn(JNE32_K, 5, 0, 0, 0x45)},
            // Flags and fragment offset, loaded little-endian: MF (0x20) and offset bits (0xFF1F).
            {insn(LDX_H, 5, 2, 20, 0), insn(JSET32_K, 5, 0, 0, 0xFF3F)},
            {insn(LDX_B, 5, 2, 23, 0), insn(JNE32_K, 5, 0, 0, 17)},
            {insn(LDX_W, 5, 2, 30, 0), insn(JNE32_K, 5, 0, 0, vtep)},
            {insn(LDX_H, 5, 2, 36, 0), insn(JNE32_K, 5, 0, 0, port)},
        };
        long[] redirect = {
            insn(LDX_W, 2, 6, 16, 0),
            insn(LD_IMM64, 1, BPF_PSEUDO_MAP_FD, 0, mapFd),
            insn(0, 0, 0, 0, 0),
            insn(MOV64_K, 3, 0, 0, XDP_PASS),
            insn(CALL, 0, 0, 0, BPF_FUNC_REDIRECT_MAP),
            insn(EXIT, 0, 0, 0, 0),
        };
        long[] pass = {
            insn(MOV64_K, 0, 0, 0, XDP_PASS),
            insn(EXIT, 0, 0, 0, 0),
        };
        int total = head.length + redirect.length + pass.length;
        for (long[] check : checks) {
            total += check.length;
        }
        long[] program = new long[total];
        int at = 0;
        for (long instruction : head) {
            program[at++] = instruction;
        }
        int passIndex = total - pass.length;
        for (long[] check : checks) {
            for (int i = 0; i < check.length - 1; i++) {
                program[at++] = check[i];
            }
            long jump = check[check.length - 1];
            int offset = passIndex - (at + 1);
            program[at++] = withOffset(jump, offset);
        }
        for (long instruction : redirect) {
            program[at++] = instruction;
        }
        for (long instruction : pass) {
            program[at++] = instruction;
        }
        return program;
    }

    /** struct bpf_insn as a little-endian long: code, dst:4 | src:4, off (s16), imm (s32). */
    private static long insn(int code, int destination, int source, int offset, int immediate) {
        return (code & 0xFFL) | ((destination & 0xFL) << 8) | ((source & 0xFL) << 12)
            | ((offset & 0xFFFFL) << 16) | ((immediate & 0xFFFF_FFFFL) << 32);
    }

    private static long withOffset(long instruction, int offset) {
        return (instruction & ~(0xFFFFL << 16)) | ((offset & 0xFFFFL) << 16);
    }
}
