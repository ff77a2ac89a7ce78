package io.softgate.nat.session;

import static io.softgate.nat.testing.NatFixture.BLUE_SNAT;
import static io.softgate.nat.testing.NatFixture.BLUE_VRF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.log.NatEventDrainer;
import io.softgate.nat.rewrite.Rewrite;
import io.softgate.nat.stage.NatDropReason;
import io.softgate.nat.testing.NatFixture;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 6888 port-block allocation, DESIGN §8 / RFC 6888 REQ-12: the abuse-desk log must name the
 * right subscriber for every port at every time, so a block may be freed (BLOCK-DELETE, and after
 * the reuse hold handed to another subscriber) only while none of its ports is, or can still
 * become, its owner's. The sweeper frees a subscriber's block when it deletes the subscriber's
 * last mapping in it; a worker of the same subscriber may at that moment be claiming a port of
 * that block. Deterministic: the hooks {@link MappingAllocator#beforeBlockRelease} (sweeper, after
 * its idle check) and {@link MappingAllocator#beforeClaimInBlock} (worker, after its ownership
 * check) run the other side exactly in the window.
 */
class PortBlockReleaseRaceTest {
    private static final int UDP = 17;
    private static final int UDP_CLASS = ProtocolClass.of(UDP);
    private static final int SERVER = Ipv4Flyweight.parse("192.0.2.1");
    private static final int SUBSCRIBER = Ipv4Flyweight.parse("10.0.0.5");
    private static final int OTHER_SUBSCRIBER = Ipv4Flyweight.parse("10.0.0.6");
    private static final int FIRST_PORT = 1024;
    private static final int BLOCK_SIZE = 16;
    /** Past the UDP timeout (300 s) and the deadline's refresh slack: the first session has expired. */
    private static final long EXPIRED_NS = 400_000_000_000L;
    /** Past the reuse hold (120 s) of a block freed at the expiry sweep. */
    private static final long HOLD_PASSED_NS = 121_000_000_000L;

    @Test
    void shouldKeepTheBlockWhenItsOwnerClaimsAPortBetweenTheSweepersIdleCheckAndItsRelease() {
        // One block only: whoever gets a port gets it from block 0.
        NatSettings settings = NatSettings.defaults().withPortBlocks(BLOCK_SIZE)
            .withPortRange(FIRST_PORT, FIRST_PORT + BLOCK_SIZE - 1);
        try (NatFixture nat = new NatFixture(settings)) {
            PortSpace ports = nat.registry.find(Ipv4Flyweight.parse(BLUE_SNAT)).ports;
            long owner = PortSpace.subscriberKey(BLUE_VRF, SUBSCRIBER);
            long t0 = nat.nowNs();
            int firstPort = create(nat, SUBSCRIBER, 5000, t0, 1);
            assertTrue(firstPort >= FIRST_PORT, "the subscriber's first flow");
            assertTrue(ports.ownsBlock(UDP_CLASS, 0, owner), "block 0 is the subscriber's");

            long t1 = t0 + EXPIRED_NS;
            int[] secondPort = {-1};
            MappingAllocator sweeperAllocator = nat.sweeper.allocator();
            sweeperAllocator.beforeBlockRelease = () -> {
                // The sweeper deleted the first mapping and found block 0 the subscriber's and idle.
                sweeperAllocator.beforeBlockRelease = null;
                secondPort[0] = create(nat, SUBSCRIBER, 5001, t1, 2);
            };
            nat.sweeper.sweepAll(nat.tables, t1);
            assertTrue(secondPort[0] >= FIRST_PORT, "the hook ran and the subscriber's new flow got a port");
            assertTrue(ports.isInUse(UDP_CLASS, secondPort[0]), "the new flow's port is in use");
            assertTrue(ports.ownsBlock(UDP_CLASS, 0, owner),
                "a block with a port in use by its owner must stay the owner's");

            // After the reuse hold another subscriber asks for a block: it must not get block 0 (the
            // log would then name it for traffic the first subscriber sends from secondPort).
            long t2 = t1 + HOLD_PASSED_NS;
            int other = create(nat, OTHER_SUBSCRIBER, 5000, t2, 3);
            assertEquals(NatSessions.failure(NatDropReason.PORTS_EXHAUSTED), other,
                "the only block is still the first subscriber's");
            assertTrue(ports.ownsBlock(UDP_CLASS, 0, owner));
            assertEquals(List.of("BLOCK-CREATE inside=10.0.0.5 outside=198.51.100.1:1024-1039"), events(nat));
        }
    }

    @Test
    void shouldNotKeepAPortClaimedInABlockTheSweeperFreedAfterTheClaimersOwnershipCheck() {
        // Two blocks: the worker's flow must end up in a block that is the subscriber's.
        NatSettings settings = NatSettings.defaults().withPortBlocks(BLOCK_SIZE)
            .withPortRange(FIRST_PORT, FIRST_PORT + 2 * BLOCK_SIZE - 1);
        try (NatFixture nat = new NatFixture(settings)) {
            PortSpace ports = nat.registry.find(Ipv4Flyweight.parse(BLUE_SNAT)).ports;
            long owner = PortSpace.subscriberKey(BLUE_VRF, SUBSCRIBER);
            long t0 = nat.nowNs();
            int firstPort = create(nat, SUBSCRIBER, 5000, t0, 1);
            int firstBlock = (firstPort - FIRST_PORT) / BLOCK_SIZE;
            assertTrue(ports.ownsBlock(UDP_CLASS, firstBlock, owner));

            long t1 = t0 + EXPIRED_NS;
            MappingAllocator workerAllocator = nat.sessions.allocator();
            boolean[] hookRan = {false};
            workerAllocator.beforeClaimInBlock = () -> {
                // The worker found firstBlock the subscriber's; the sweeper now deletes the first
                // mapping and, the block being idle, frees it (rightly: nothing of it is in use).
                workerAllocator.beforeClaimInBlock = null;
                hookRan[0] = true;
                nat.sweeper.sweepAll(nat.tables, t1);
                assertTrue(!ports.ownsBlock(UDP_CLASS, firstBlock, owner), "the sweeper freed the idle block");
            };
            int secondPort = create(nat, SUBSCRIBER, 5001, t1, 2);
            assertTrue(hookRan[0], "the hook ran");
            assertTrue(secondPort >= FIRST_PORT, "the subscriber's new flow");
            int secondBlock = (secondPort - FIRST_PORT) / BLOCK_SIZE;
            assertTrue(ports.ownsBlock(UDP_CLASS, secondBlock, owner),
                "the new flow's port must be in a block of its subscriber, not in the freed one");
            for (int port = FIRST_PORT + firstBlock * BLOCK_SIZE; port < FIRST_PORT + (firstBlock + 1) * BLOCK_SIZE;
                 port++) {
                assertTrue(!ports.isInUse(UDP_CLASS, port), "no port of the freed block is held: " + port);
            }
            String first = blockRange(firstBlock);
            assertEquals(List.of("BLOCK-CREATE inside=10.0.0.5 outside=198.51.100.1:" + first,
                "BLOCK-DELETE inside=10.0.0.5 outside=198.51.100.1:" + first,
                "BLOCK-CREATE inside=10.0.0.5 outside=198.51.100.1:" + blockRange(secondBlock)), events(nat));
        }
    }

    /** Creates a UDP flow of blue {@code address:port}; returns its public port or the failure. */
    static int create(NatFixture nat, int address, int port, long nowNs, int seed) {
        NatScratch scratch = new NatScratch(seed);
        int result = nat.sessions.createOutbound(nat.tables, BLUE_VRF, UDP, address, port, SERVER, 53, 0, nowNs,
            scratch);
        return result < 0 ? result : Rewrite.newPort(scratch.values[SessionKeys.WORD_REWRITE0]);
    }

    private static String blockRange(int block) {
        int first = FIRST_PORT + block * BLOCK_SIZE;
        return first + "-" + (first + BLOCK_SIZE - 1);
    }

    /** The event log so far, each line without its time, protocol and VPC (all UDP in blue). */
    static List<String> events(NatFixture nat) {
        List<String> lines = new ArrayList<>();
        new NatEventDrainer(nat.eventLog, nat.tables::vpcName, lines::add, System::nanoTime,
            () -> System.currentTimeMillis() * 1_000_000L).drain(1000);
        List<String> events = new ArrayList<>();
        for (String line : lines) {
            events.add(line.substring(line.indexOf(' ') + 1).replace(" proto=udp vpc=blue", ""));
        }
        return events;
    }
}
