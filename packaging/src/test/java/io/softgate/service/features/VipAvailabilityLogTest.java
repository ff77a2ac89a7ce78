package io.softgate.service.features;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One compile's VIP availability changes make one log line, naming the first VIPs and counting the rest. */
class VipAvailabilityLogTest {
    private static List<String> vips(int count) {
        List<String> vips = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            vips.add("100.65.0." + i);
        }
        return vips;
    }

    @Test
    void shouldNameEveryVipWhenThereAreFewOfThem() {
        assertEquals("100.65.0.0, 100.65.0.1, 100.65.0.2", ServiceFeatures.abbreviated(vips(3)));
    }

    @Test
    void shouldNameTheFirstVipsAndCountTheRestWhenThereAreMany() {
        String line = ServiceFeatures.abbreviated(vips(1000));
        assertEquals(String.join(", ", vips(ServiceFeatures.LOGGED_VIPS)) + " and " + (1000 - ServiceFeatures.LOGGED_VIPS)
            + " more", line);
    }
}
