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

    @Test
    void shouldKeepEveryKeyAndMapItsValueWhenRemapped() {
        VniMap map = new VniMap(new int[] {10, 20, 30}, new int[] {0, 1, 2});
        VniMap remapped = map.remap(new int[] {100, 101, 102});
        assertEquals(100, remapped.get(10));
        assertEquals(101, remapped.get(20));
        assertEquals(102, remapped.get(30));
        assertEquals(VniMap.MISSING, remapped.get(40));
    }
}
