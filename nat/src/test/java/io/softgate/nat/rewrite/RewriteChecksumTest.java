package io.softgate.nat.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.packet.Checksums;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The rewrite's branch-free delta application agrees with the core's RFC 1624 reference. */
class RewriteChecksumTest {
    @Test
    void shouldApplyDeltaLikeTheReferenceForEveryChecksumAgainstEdgeDeltas() {
        int[] deltas = {0, 1, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF};
        for (int checksum = 0; checksum <= 0xFFFF; checksum++) {
            for (int delta : deltas) {
                assertEquals(Checksums.applyDelta(checksum, delta), Rewrite.applyDelta(checksum, delta),
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
            assertEquals(Checksums.applyDelta(checksum, delta), Rewrite.applyDelta(checksum, delta),
                "checksum " + checksum + " delta " + delta);
        }
    }
}
