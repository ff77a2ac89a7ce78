package io.softgate.core.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hash flooding: key pairs an attacker can solve for offline must not collide in every table.
 * The pairs are built against the construction FlowTable once used (salt each word with a fixed
 * constant, multiply, rotate, sum, then add the seed before the finalizer): solving its sum
 * equation for one word gives two keys with equal sums, which collided under every seed. All
 * seeds and keys here come from fixed generators, so the test is deterministic.
 */
class FlowTableHashFloodingTest {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    /** The fixed per-word constants and rotations of the old construction. */
    private static final long[] OLD_CONSTANTS = {0x243F6A8885A308D3L, 0x13198A2E03707344L, 0xA4093822299F31D0L,
        0x082EFA98EC4E6C89L, 0x452821E638D01377L, 0xBE5466CF34E90C6CL};
    private static final int[] OLD_ROTATIONS = {0, 17, 34, 51, 4, 21};
    private static final int PAIRS = 200;
    private static final int SEEDS = 50;
    private static final int CAPACITY = 1024;

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 6})
    void shouldPlaceKeysCraftedAgainstAnUnsaltedSumApartUnderDifferentSeeds(int keyWords) {
        SplittableRandom random = new SplittableRandom(0xF100D);
        long[] seeds = new long[SEEDS];
        for (int i = 0; i < SEEDS; i++) {
            seeds[i] = random.nextLong();
        }
        FlowTable[] tables = new FlowTable[SEEDS];
        for (int i = 0; i < SEEDS; i++) {
            tables[i] = new FlowTable(CAPACITY, keyWords, 0, 16, seeds[i]);
        }
        int equalHashes = 0;
        int sameHomeSlot = 0;
        for (int pair = 0; pair < PAIRS; pair++) {
            long[] first = randomKey(random, keyWords);
            long[] second = collidingKey(first, random);
            assertNotEquals(first[0], second[0]);
            // The old construction added the seed to this sum: equal sums, equal hashes under every seed.
            assertEquals(oldSum(first), oldSum(second));
            for (FlowTable table : tables) {
                long firstHash = table.keyHash(first);
                long secondHash = table.keyHash(second);
                equalHashes += firstHash == secondHash ? 1 : 0;
                sameHomeSlot += (firstHash & (CAPACITY - 1)) == (secondHash & (CAPACITY - 1)) ? 1 : 0;
            }
        }
        int placements = PAIRS * SEEDS;
        assertEquals(0, equalHashes, "crafted pairs with equal 64-bit hashes, of " + placements);
        // Unrelated keys share a home slot in 1 table of 1024; allow eight times that.
        assertTrue(sameHomeSlot * (long) CAPACITY <= 8L * placements,
            sameHomeSlot + " of " + placements + " table/pair placements put a crafted pair on one home slot");
    }

    private static long[] randomKey(SplittableRandom random, int keyWords) {
        long[] key = new long[keyWords];
        for (int word = 0; word < keyWords; word++) {
            key[word] = random.nextLong();
        }
        return key;
    }

    /** A key whose words 1.. are random and whose word 0 is solved so its old sum equals {@code target}'s. */
    private static long[] collidingKey(long[] target, SplittableRandom random) {
        long[] key = randomKey(random, target.length);
        long rest = oldSum(key) - (key[0] ^ OLD_CONSTANTS[0]) * GOLDEN;
        long product = oldSum(target) - rest;
        key[0] = (product * inverse(GOLDEN)) ^ OLD_CONSTANTS[0];
        return key;
    }

    /** The old construction's sum before the seed was added. */
    private static long oldSum(long[] key) {
        long sum = 0;
        for (int word = 0; word < key.length; word++) {
            sum += Long.rotateLeft((key[word] ^ OLD_CONSTANTS[word]) * GOLDEN, OLD_ROTATIONS[word]);
        }
        return sum;
    }

    /** Multiplicative inverse of an odd number modulo 2^64 (Newton's iteration doubles the correct bits). */
    private static long inverse(long odd) {
        long inverse = odd;
        for (int i = 0; i < 6; i++) {
            inverse *= 2 - odd * inverse;
        }
        return inverse;
    }
}
