package io.softgate.io.xdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.packet.Ipv4Flyweight;
import org.junit.jupiter.api.Test;

/** The steering program's encoding, checked without loading it (no privileges needed). */
class XdpSteeringProgramTest {
    private static final long[] PROGRAM = XdpSteeringProgram.instructions(Ipv4Flyweight.parse("10.0.0.5"), 4789, 7);

    private static int opcode(long instruction) {
        return (int) (instruction & 0xFF);
    }

    private static int offset(long instruction) {
        return (short) (instruction >>> 16);
    }

    private static int immediate(long instruction) {
        return (int) (instruction >>> 32);
    }

    @Test
    void shouldSendEveryFailedCheckToThePassBlockAtTheEnd() {
        int pass = PROGRAM.length - 2;
        int jumps = 0;
        for (int i = 0; i < PROGRAM.length; i++) {
            int code = opcode(PROGRAM[i]);
            if (code == 0x2D || code == 0x56 || code == 0x46) {
                assertEquals(pass, i + 1 + offset(PROGRAM[i]), "jump at " + i);
                jumps++;
            }
        }
        assertEquals(7, jumps, "bounds, EtherType, version/IHL, fragment, protocol, address, port");
        assertEquals(0xB7, opcode(PROGRAM[pass]));
        assertEquals(2, immediate(PROGRAM[pass]), "XDP_PASS");
        assertEquals(0x95, opcode(PROGRAM[pass + 1]));
    }

    @Test
    void shouldCompareAddressAndPortInTheByteOrderTheyAreLoadedIn() {
        boolean address = false;
        boolean port = false;
        for (long instruction : PROGRAM) {
            if (opcode(instruction) == 0x56) {
                // 10.0.0.5 read little-endian from the wire is 0x0500000A; port 4789 (0x12B5) is 0xB512.
                address |= immediate(instruction) == 0x0500_000A;
                port |= immediate(instruction) == 0xB512;
            }
        }
        assertTrue(address && port);
    }

    @Test
    void shouldRedirectThroughTheMapWithPassAsTheFallback() {
        int load = -1;
        for (int i = 0; i < PROGRAM.length; i++) {
            if (opcode(PROGRAM[i]) == 0x18) {
                load = i;
            }
        }
        assertTrue(load > 0, "map load present");
        assertEquals(1, (int) (PROGRAM[load] >>> 12) & 0xF, "BPF_PSEUDO_MAP_FD");
        assertEquals(7, immediate(PROGRAM[load]), "map fd");
        assertEquals(2, immediate(PROGRAM[load + 2]), "fallback action XDP_PASS in r3");
        assertEquals(0x85, opcode(PROGRAM[load + 3]));
        assertEquals(51, immediate(PROGRAM[load + 3]), "bpf_redirect_map");
    }
}
