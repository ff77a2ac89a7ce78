package io.softgate.nat.session;

import static io.softgate.nat.testing.NatFixture.BLUE_SNAT;
import static io.softgate.nat.testing.NatFixture.BLUE_VRF;
import static io.softgate.nat.testing.NatFixture.RED_SNAT;
import static io.softgate.nat.testing.NatFixture.RED_VRF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.flow.FlowTable;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.rewrite.Rewrite;
import io.softgate.nat.testing.NatFixture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A worker takes a reference on an EIM mapping it looked up; between that lookup and its CAS the
 * sweeper deletes the mapping and another tenant's entry takes the freed slot. The reference must
 * not land in that entry (here: blue's outside mapping, whose word 1 is the inside VRF: a +1
 * there would send blue's inbound traffic into red's VPC), and the worker must not use the
 * deleted mapping. Deterministic: {@link MappingAllocator#beforeTakeReference} runs the sweeper
 * and the other tenant's creation exactly between the lookup and the reference, and the keys are
 * chosen so that the other tenant's entry lands in the deleted mapping's slot.
 */
class MappingReferenceRaceTest {
    private static final int UDP = 17;
    private static final int UDP_CLASS = ProtocolClass.of(UDP);
    private static final int SERVER = Ipv4Flyweight.parse("192.0.2.1");
    private static final int OTHER_REMOTE = Ipv4Flyweight.parse("192.0.2.99");
    private static final int VM = Ipv4Flyweight.parse("10.0.0.5");
    private static final int VM_PORT = 5000;
    private static final int FIRST_PORT = 40000;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"outbound", "inbound"})
    void shouldNeverTakeAReferenceInAnEntryThatReusedTheMappingsSlot(String path) {
        NatSettings settings = NatSettings.defaults().withPortRange(FIRST_PORT, FIRST_PORT + 9);
        try (NatFixture nat = new NatFixture(settings, NatFixture.defaultRules(), 64)) {
            FlowTable table = nat.sessions.mappingTable();
            long[] key = new long[SessionKeys.KEY_WORDS];
            // Blue's mapping will take public port 40000 + blueOffset (pre-drawn value), so its outside
            // key is known: its home is slot h. A red endpoint X has its inside mapping key's home there.
            int blueSnat = Ipv4Flyweight.parse(BLUE_SNAT);
            int redSnat = Ipv4Flyweight.parse(RED_SNAT);
            int blueOffset = 0;
            int slot = -1;
            int[] x = null;
            for (int offset = 1; offset < 10 && x == null; offset++) {
                MappingAllocator.outsideMappingKey(key, UDP_CLASS, blueSnat, FIRST_PORT + offset);
                slot = table.homeSlot(key, 0);
                blueOffset = offset;
                x = findRedEndpoint(table, slot, redSnat);
            }
            assertTrue(x != null, "no key layout found");
            int bluePort = FIRST_PORT + blueOffset;
            int bluePredrawn = blueOffset;
            int hSlot = slot;
            int xAddress = x[0];
            int xPort = x[1];

            long t0 = nat.nowNs();
            NatScratch xScratch = new NatScratch(11);
            xScratch.offerPredrawnRandom(0); // RED_SNAT:40000
            int first = nat.sessions.createOutbound(nat.tables, RED_VRF, UDP, xAddress, xPort, SERVER, 53, 0, t0,
                xScratch);
            xScratch.clearPredrawnRandom();
            assertTrue(first >= 0, "X's first session");
            MappingAllocator.insideMappingKey(key, UDP_CLASS, RED_VRF, xAddress, xPort);
            assertEquals(slot, table.lookup(key, t0), "precondition: X's mapping sits in slot h");

            // Past the UDP timeout (and the refresh slack): X's session has expired, the sweeper has not run yet.
            long t1 = t0 + 400_000_000_000L;
            MappingAllocator allocator = nat.sessions.allocator();
            boolean[] hookRan = new boolean[1];
            allocator.beforeTakeReference = () -> {
                // The worker has looked X's mapping up (slot h) and is about to take its reference.
                allocator.beforeTakeReference = null;
                hookRan[0] = true;
                nat.sweeper.sweepAll(nat.tables, t1); // X's session, then X's mapping (no references left)
                assertFalse(table.isLive(hSlot), "X's mapping deleted");
                NatScratch blue = new NatScratch(12);
                blue.offerPredrawnRandom(bluePredrawn);
                assertTrue(nat.sessions.createOutbound(nat.tables, BLUE_VRF, UDP, VM, VM_PORT, SERVER, 53, 0, t1,
                    blue) >= 0, "blue's session");
                assertEquals(bluePort, Rewrite.newPort(blue.values[SessionKeys.WORD_REWRITE0]), "blue's port");
                NatScratch red = new NatScratch(13);
                assertTrue(nat.sessions.createOutbound(nat.tables, RED_VRF, UDP, VM, VM_PORT, SERVER, 53, 0, t1,
                    red) >= 0, "red's session from the same private endpoint");
            };
            NatScratch worker = new NatScratch(14);
            int result = "outbound".equals(path)
                ? nat.sessions.createOutbound(nat.tables, RED_VRF, UDP, xAddress, xPort, SERVER, 54, 0, t1, worker)
                : nat.sessions.createInbound(nat.tables, UDP, OTHER_REMOTE, 7000, redSnat, FIRST_PORT, 0, t1, worker);
            assertTrue(hookRan[0], "the worker took a reference on the mapping it looked up");

            MappingAllocator.outsideMappingKey(key, UDP_CLASS, blueSnat, bluePort);
            assertEquals(slot, table.lookup(key, t1), "precondition: blue's outside mapping reused slot h");
            assertEquals(BLUE_VRF, table.value(slot, MappingAllocator.MAPPING_WORD_INSIDE_VRF),
                "blue's outside mapping still names blue's VRF");
            // Inbound to blue's public endpoint from a remote it never sent to (endpoint-independent
            // filtering admits it): must reach blue's VM, never red's VM at the same private address.
            NatScratch inbound = new NatScratch(15);
            int in = nat.sessions.createInbound(nat.tables, UDP, OTHER_REMOTE, 6000, blueSnat, bluePort, 0, t1,
                inbound);
            assertTrue(in >= 0, "inbound to blue's mapping admitted");
            assertEquals(BLUE_VRF, inbound.mappedVrf, "inbound to blue's public port goes to blue's VPC");

            // Each mapping counts exactly its sessions' references (the inbound just made one more on blue's).
            assertEquals(2, references(table, BLUE_VRF, VM, VM_PORT, t1), "blue's mapping: two sessions");
            assertEquals(1, references(table, RED_VRF, VM, VM_PORT, t1), "red's mapping: one session");

            if ("outbound".equals(path)) {
                // The worker's new flow: on a live mapping of X (a new one: X's old one is gone).
                assertTrue(result >= 0, "X's new flow");
                long rewrite0 = worker.values[SessionKeys.WORD_REWRITE0];
                MappingAllocator.insideMappingKey(key, UDP_CLASS, RED_VRF, xAddress, xPort);
                long[] mapping = new long[SessionKeys.VALUE_WORDS];
                assertTrue(table.lookupInto(key, t1, mapping) >= 0, "X's new flow is on a live mapping");
                assertEquals(mapping[MappingAllocator.MAPPING_WORD_ADDRESS] & 0xFFFF, Rewrite.newPort(rewrite0),
                    "X's new flow uses its mapping's port");
                assertEquals(1, references(table, RED_VRF, xAddress, xPort, t1), "X's new mapping: one session");
            } else {
                // X's public port no longer has a mapping (nor a rule): the inbound packet is not admitted.
                assertEquals(NatSessions.PASS_NO_RULE, result, "inbound to X's deleted mapping");
            }
        }
    }

    private static long references(FlowTable table, int vrf, int address, int port, long nowNs) {
        long[] key = new long[SessionKeys.KEY_WORDS];
        MappingAllocator.insideMappingKey(key, UDP_CLASS, vrf, address, port);
        int entry = table.lookup(key, nowNs);
        assertTrue(entry >= 0, "mapping of " + address + ":" + port + " in VRF " + vrf);
        return MappingAllocator.mappingReferences(table.value(entry, MappingAllocator.MAPPING_WORD_REFERENCES));
    }

    /**
     * A red endpoint (address, port) whose inside mapping key has home {@code slot}, with the keys
     * inserted before it (its counter, its outside mapping RED_SNAT:40000) and blue's counter (inserted
     * before blue's outside mapping) far enough from {@code slot} not to take it; null if none.
     */
    private static int[] findRedEndpoint(FlowTable table, int slot, int redSnat) {
        long[] key = new long[SessionKeys.KEY_WORDS];
        MappingAllocator.outsideMappingKey(key, UDP_CLASS, redSnat, FIRST_PORT);
        if (near(table, table.homeSlot(key, 0), slot)) {
            return null;
        }
        MappingAllocator.subscriberKey(key, UDP_CLASS, BLUE_VRF, VM);
        if (near(table, table.homeSlot(key, 0), slot)) {
            return null;
        }
        for (int address = VM + 2; address < VM + 200; address++) {
            MappingAllocator.subscriberKey(key, UDP_CLASS, RED_VRF, address);
            if (near(table, table.homeSlot(key, 0), slot)) {
                continue;
            }
            for (int port = 1024; port < 65536; port++) {
                MappingAllocator.insideMappingKey(key, UDP_CLASS, RED_VRF, address, port);
                if (table.homeSlot(key, 0) == slot) {
                    return new int[] {address, port};
                }
            }
        }
        return null;
    }

    /** True when an insert of a key with home {@code home} could take {@code slot} in a near-empty table. */
    private static boolean near(FlowTable table, int home, int slot) {
        int distance = (slot - home) & (table.capacity() - 1);
        return distance <= 3;
    }
}
