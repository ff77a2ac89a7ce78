package io.softgate.lb.maglev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MaglevTableBuilderTest {
    /**
     * Digest of {@link #referenceTable()}, computed once when the builder was written and checked
     * in: if it ever changes, every softgate of a mixed-version tier would choose differently.
     */
    static final String REFERENCE_DIGEST =
        "4eb65dcc07d3c90bc49c674de8c383d609e2b8897592ed8900d2468bc6527e7b";

    /** Ten backends 10.0.0.1..10 port 8080, weights 1..10, in the default 65537-slot table. */
    static MaglevTable referenceTable() {
        MaglevTableBuilder builder = new MaglevTableBuilder();
        for (int i = 1; i <= 10; i++) {
            builder.add("10.0.0." + i + ":8080", i);
        }
        return builder.build();
    }

    private static List<String> backends(int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add("10." + (i >> 8 & 0xFF) + "." + (i & 0xFF) + ".7:80");
        }
        return names;
    }

    private static MaglevTable equalWeights(List<String> names, int tableSize) {
        MaglevTableBuilder builder = new MaglevTableBuilder(tableSize);
        for (String name : names) {
            builder.add(name, 1);
        }
        return builder.build();
    }

    @Test
    void shouldMatchTheCheckedInDigestForTheReferenceBackendSet() {
        assertEquals(REFERENCE_DIGEST, referenceTable().digest());
    }

    @Test
    void shouldBuildTheSameTableInAForkedJvm() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
            MaglevDigestPrinter.class.getName()).redirectErrorStream(true).start();
        String line;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            line = out.readLine();
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "forked JVM did not finish");
        assertEquals(0, process.exitValue());
        assertEquals(referenceTable().digest(), line);
    }

    @Test
    void shouldBuildTheSameTableWhateverOrderBackendsAreAddedIn() {
        List<String> names = backends(50);
        MaglevTable sorted = equalWeights(names, 65_537);
        List<String> shuffled = new ArrayList<>(names);
        Collections.shuffle(shuffled, new Random(7));
        MaglevTable reordered = equalWeights(shuffled, 65_537);
        assertEquals(sorted.digest(), reordered.digest());
    }

    @Test
    void shouldFillEverySlotWithABackend() {
        MaglevTable table = equalWeights(backends(7), 65_537);
        for (int slot = 0; slot < table.tableSize(); slot++) {
            assertTrue(table.backendAt(slot) >= 0 && table.backendAt(slot) < 7);
        }
    }

    /** Tolerance stated by this test: every backend's share within 2% (relative) of its weight share. */
    @Test
    void shouldGiveEveryBackendASlotShareWithinTwoPercentOfItsWeightShare() {
        MaglevTable table = referenceTable();
        int totalWeight = 55;
        for (int position = 0; position < 10; position++) {
            int weight = Integer.parseInt(table.backendIdentities().get(position).split("[.:]")[3]);
            double expected = table.tableSize() * (double) weight / totalWeight;
            double actual = table.slotCount(position);
            assertTrue(Math.abs(actual - expected) <= 0.02 * expected,
                "backend weight " + weight + ": " + actual + " slots, expected " + expected);
        }
    }

    @Test
    void shouldGiveEqualWeightBackendsSlotCountsWithinTwoPercentOfEachOther() {
        MaglevTable table = equalWeights(backends(100), 65_537);
        double ideal = 65_537 / 100.0;
        for (int position = 0; position < 100; position++) {
            assertTrue(Math.abs(table.slotCount(position) - ideal) <= 0.02 * ideal,
                "backend " + position + " has " + table.slotCount(position));
        }
    }

    @Test
    void shouldGiveNoSlotToABackendOfWeightZero() {
        MaglevTable table = new MaglevTableBuilder(65_537).add("10.0.0.1:80", 1).add("10.0.0.2:80", 0).build();
        assertEquals(0, table.slotCount(table.backendIdentities().indexOf("10.0.0.2:80")));
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 10, 100, 1000})
    void shouldMoveAtMostOneNthPlusOnePercentOfSlotsWhenOneOfNBackendsIsRemoved(int count) {
        List<String> names = backends(count);
        MaglevTable before = equalWeights(names, 65_537);
        String removed = names.get(count / 2);
        List<String> remaining = new ArrayList<>(names);
        remaining.remove(removed);
        MaglevTable after = equalWeights(remaining, 65_537);

        int changed = 0;
        int changedAmongOthers = 0;
        for (int slot = 0; slot < before.tableSize(); slot++) {
            String was = before.backendIdentities().get(before.backendAt(slot));
            String now = after.backendIdentities().get(after.backendAt(slot));
            if (!was.equals(now)) {
                changed++;
                if (!was.equals(removed)) {
                    changedAmongOthers++;
                }
            }
        }
        double size = before.tableSize();
        assertTrue(changed / size <= 1.0 / count + 0.01, "changed " + changed / size);
        assertTrue(changedAmongOthers / size <= 0.01, "slots of remaining backends that moved: " + changedAmongOthers / size);
    }

    @Test
    void shouldMapEverySlotToNoBackendWhenTheBackendSetIsEmpty() {
        MaglevTable table = new MaglevTableBuilder(251).build();
        for (int slot = 0; slot < table.tableSize(); slot++) {
            assertEquals(MaglevTable.NO_BACKEND, table.backendAt(slot));
        }
        assertEquals(MaglevTable.NO_BACKEND, table.backendFor(0x1234_5678_9ABCL));
    }

    @Test
    void shouldMapEverySlotToNoBackendWhenEveryWeightIsZero() {
        MaglevTable table = new MaglevTableBuilder(251).add("10.0.0.1:80", 0).build();
        assertEquals(table.tableSize(), table.slotCount(MaglevTable.NO_BACKEND));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 4, 65_536, 65_535, 100_000})
    void shouldRejectATableSizeThatIsNotAPrimeOfAtLeastThree(int size) {
        assertThrows(IllegalArgumentException.class, () -> new MaglevTableBuilder(size));
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 251, 65_537, 655_373})
    void shouldAcceptPrimeTableSizes(int size) {
        assertEquals(size, new MaglevTableBuilder(size).add("a", 1).build().tableSize());
    }

    @Test
    void shouldRejectADuplicateBackendIdentity() {
        MaglevTableBuilder builder = new MaglevTableBuilder().add("10.0.0.1:80", 1);
        assertThrows(IllegalArgumentException.class, () -> builder.add("10.0.0.1:80", 2));
    }

    @Test
    void shouldComputeTheSpecifiedFnv1aHashOfAnIdentity() {
        // FNV-1a 64 of the empty string is the offset basis; of "a" the published test vector.
        assertEquals(0xcbf29ce484222325L, MaglevHash.identityHash(""));
        assertEquals(0xaf63dc4c8601ec8cL, MaglevHash.identityHash("a"));
    }

    /** The population loop as the paper writes it (walk every permutation slot by slot), as an oracle. */
    private static int[] slotBySlotWalk(List<String> sortedIdentities, int[] weights, int tableSize) {
        int count = sortedIdentities.size();
        int[] slots = new int[tableSize];
        java.util.Arrays.fill(slots, MaglevTable.NO_BACKEND);
        int[] next = new int[count];
        int[] skip = new int[count];
        int maxWeight = 0;
        for (int i = 0; i < count; i++) {
            next[i] = MaglevHash.offset(sortedIdentities.get(i), tableSize);
            skip[i] = MaglevHash.skip(sortedIdentities.get(i), tableSize);
            maxWeight = Math.max(maxWeight, weights[i]);
        }
        long[] credit = new long[count];
        for (int filled = 0; filled < tableSize; ) {
            for (int i = 0; i < count && filled < tableSize; i++) {
                credit[i] += weights[i];
                if (credit[i] >= maxWeight) {
                    credit[i] -= maxWeight;
                    while (slots[next[i]] != MaglevTable.NO_BACKEND) {
                        next[i] = (next[i] + skip[i]) % tableSize;
                    }
                    slots[next[i]] = i;
                    next[i] = (next[i] + skip[i]) % tableSize;
                    filled++;
                }
            }
        }
        return slots;
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 61, 251, 4099, 65_537})
    void shouldFillTheSameSlotsAsTheSlotBySlotWalkOfThePaper(int tableSize) {
        Random random = new Random(tableSize);
        for (int trial = 0; trial < 4; trial++) {
            int count = 1 + random.nextInt(Math.min(tableSize, 300));
            List<String> names = backends(count);
            Collections.sort(names);
            int[] weights = new int[count];
            MaglevTableBuilder builder = new MaglevTableBuilder(tableSize);
            for (int i = 0; i < count; i++) {
                weights[i] = trial % 2 == 0 ? 1 : 1 + random.nextInt(10);
                builder.add(names.get(i), weights[i]);
            }
            MaglevTable table = builder.build();
            assertEquals(names, table.backendIdentities());
            int[] expected = slotBySlotWalk(names, weights, tableSize);
            for (int slot = 0; slot < tableSize; slot++) {
                assertEquals(expected[slot], table.backendAt(slot), "size " + tableSize + " trial " + trial + " slot " + slot);
            }
        }
    }

    @Test
    void shouldBuildTheSameTableTwiceFromOneBuilder() {
        MaglevTableBuilder builder = new MaglevTableBuilder(4099);
        backends(40).forEach(name -> builder.add(name, 2));
        String first = builder.build().digest();
        builder.clear();
        builder.add("10.9.9.9:80", 1);
        builder.build();
        builder.clear();
        backends(40).forEach(name -> builder.add(name, 2));
        assertEquals(first, builder.build().digest());
    }

    @Test
    void shouldBuildTheCompactFormOfTheSameTable() {
        MaglevTableBuilder builder = new MaglevTableBuilder(4099);
        backends(30).forEach(name -> builder.add(name, 1 + name.length() % 3));
        builder.add("10.9.9.9:80", 0);
        char[] compact = builder.buildCompact();
        MaglevTable table = builder.build();
        assertEquals(java.util.Arrays.toString(table.compactSlots()), java.util.Arrays.toString(compact));
        for (int slot = 0; slot < table.tableSize(); slot++) {
            assertEquals(table.backendAt(slot), (int) compact[slot]);
        }
    }

    @Test
    void shouldWriteNoBackendAsTheBackendCountInTheCompactForm() {
        char[] compact = new MaglevTableBuilder(251).add("10.0.0.1:80", 0).add("10.0.0.2:80", 0).buildCompact();
        for (char position : compact) {
            assertEquals(2, position);
        }
    }
}
