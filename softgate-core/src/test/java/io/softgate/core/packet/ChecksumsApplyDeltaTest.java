package io.softgate.core.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The branch-free {@link Checksums#applyDelta} agrees with RFC 1624 eqn. 3 folded to the end. */
class ChecksumsApplyDeltaTest {
    /** HC' = ~(~HC + delta), carries folded until none is left. */
    private static int reference(int checksum, int delta) {
        return ~Checksums.fold((~checksum & 0xFFFF) + (long) (delta & 0xFFFF)) & 0xFFFF;
    }

    @Test
    void shouldApplyDeltaLikeTheReferenceForEveryChecksumAgainstEdgeDeltas() {
        int[] deltas = {0, 1, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF};
        for (int checksum = 0; checksum <= 0xFFFF; checksum++) {
            for (int delta : deltas) {
                assertEquals(reference(checksum, delta), Checksums.applyDelta(checksum, delta),
                    "checksum " + checksum + " delta " + delta);
            }
        }
    }

    @Test
    void shouldApplyDeltaLikeTheReferenceForRandomPairs() {
        SplittableRandom random = new SplittableRandom(4);
        for (int i = 0; i < 1_000_000; i++) {
            int checksum = random.nextInt(0x10000);
            int delta = random.nextInt(0x10000);
            assertEquals(reference(checksum, delta), Checksums.applyDelta(checksum, delta),
                "checksum " + checksum + " delta " + delta);
        }
    }
}
