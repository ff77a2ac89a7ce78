package io.softgate.nat.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The block half of {@link PortSpace}: claims validated against the block word, releases that mark first. */
class PortSpaceBlockTest {
    private static final int UDP = ProtocolClass.UDP;
    private static final int FIRST = 1024;
    private static final int SIZE = 4;
    private static final long NOW = 1_000_000_000_000L;
    private static final long A = PortSpace.subscriberKey(1, 0x0A000005);
    private static final long B = PortSpace.subscriberKey(1, 0x0A000006);

    private static PortSpace space() {
        PortSpace ports = new PortSpace(0xC6336401);
        ports.prepareBlocks(FIRST, FIRST + 2 * SIZE - 1, SIZE);
        return ports;
    }

    @Test
    void shouldGiveBackAPortClaimedInABlockThatIsNotTheClaimersOpenBlock() {
        PortSpace ports = space();
        assertEquals(-1, ports.claimInOwnedBlock(UDP, 0, A, FIRST, SIZE, 0, NOW), "a free block: nothing kept");
        assertEquals(0, ports.claimBlock(UDP, B, 0, NOW));
        assertEquals(-1, ports.claimInOwnedBlock(UDP, 0, A, FIRST, SIZE, 0, NOW), "another's block: nothing kept");
        assertFalse(ports.claimPortInOwnedBlock(UDP, 0, A, FIRST, NOW));
        assertTrue(ports.blockIdle(UDP, 0, FIRST, SIZE), "the ports it took were given back");
        assertEquals(FIRST, ports.claimInOwnedBlock(UDP, 0, B, FIRST, SIZE, 0, NOW), "and stay claimable at once");
    }

    @Test
    void shouldFreeABlockOnlyWhenNoPortOfItIsInUseAndOnlyForItsOwner() {
        PortSpace ports = space();
        assertEquals(1, ports.claimBlock(UDP, A, 1, NOW));
        int port = ports.claimInOwnedBlock(UDP, 1, A, FIRST, SIZE, 2, NOW);
        assertEquals(FIRST + SIZE + 2, port);
        assertFalse(ports.releaseBlockIfIdle(UDP, 1, A, FIRST, SIZE, NOW), "a port of it in use");
        assertTrue(ports.ownsBlock(UDP, 1, A), "reopened: still the owner's and open");
        assertFalse(ports.releaseBlockIfIdle(UDP, 1, B, FIRST, SIZE, NOW), "not B's block");
        ports.release(UDP, port, NOW);
        assertTrue(ports.releaseBlockIfIdle(UDP, 1, A, FIRST, SIZE, NOW + 120_000_000_000L));
        assertFalse(ports.holdsBlock(UDP, 1, A), "freed");
        assertEquals(-1, ports.claimInOwnedBlock(UDP, 1, A, FIRST, SIZE, 0, NOW), "no port kept in a freed block");
        assertEquals(0, ports.claimBlock(UDP, B, 1, NOW), "block 1 is on hold: B gets block 0");
        assertEquals(1, ports.claimBlock(UDP, A, 1, NOW + 122_000_000_000L), "block 1 after its hold");
    }
}
