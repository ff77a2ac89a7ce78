package io.softgate.evpn.forwarding.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class VniMapTest {

    @Test
    void shouldFindEveryVniAndMissOthers() {
        Random random = new Random(5001);
        int[] vnis = random.ints(1, 0xFF_FFFF).distinct().limit(3000).toArray();
        int[] vrfs = new int[vnis.length];
        for (int i = 0; i < vrfs.length; i++) {
            vrfs[i] = i;
        }
        VniMap map = new VniMap(vnis, vrfs);

        for (int i = 0; i < vnis.length; i++) {
            assertEquals(i, map.get(vnis[i]));
        }
        assertEquals(VniMap.MISSING, map.get(0));
        assertEquals(VniMap.MISSING, map.get(0xFF_FFFF));
    }

    @Test
    void shouldRejectDuplicateAndOutOfRangeVnis() {
        assertThrows(IllegalArgumentException.class, () -> new VniMap(new int[] {7, 7}, new int[] {0, 1}));
        assertThrows(IllegalArgumentException.class, () -> new VniMap(new int[] {0}, new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> new VniMap(new int[] {1 << 24}, new int[] {0}));
    }
}
