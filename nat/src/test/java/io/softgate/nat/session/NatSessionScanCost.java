package io.softgate.nat.session;

import static io.softgate.nat.testing.NatFixture.BLUE_VRF;
import static io.softgate.nat.testing.Packets.udp;

import io.softgate.nat.config.NatSettings;
import io.softgate.nat.testing.NatFixture;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * A measurement, not a test (its name keeps it out of the default surefire run): the thread CPU
 * of one {@link NatSessions#forEachSession} pass, what {@code GET /api/softgate/sessions} costs
 * the API thread, over a table sized for 262,144 sessions holding 20,000. Run with
 * {@code mvn -o -q -B -pl nat -am test -Dtest=NatSessionScanCost -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class NatSessionScanCost {
    @Test
    void measure() {
        int maxSessions = 262_144;
        try (NatFixture nat = new NatFixture(NatSettings.defaults(), NatFixture.defaultRules(), maxSessions)) {
            for (int host = 1; host <= 200; host++) {
                for (int port = 1000; port < 1100; port++) {
                    nat.fromVpc(BLUE_VRF, udp("10.0.0." + host, port, "192.0.2.1", 53));
                }
            }
            var bean = ManagementFactory.getThreadMXBean();
            long[] count = new long[1];
            long best = Long.MAX_VALUE;
            for (int run = 0; run < 7; run++) {
                count[0] = 0;
                long start = bean.getCurrentThreadCpuTime();
                nat.sessions.forEachSession((p, v, i, ip, o, op, r, rp, t, e, d) -> count[0]++);
                best = Math.min(best, bean.getCurrentThreadCpuTime() - start);
            }
            System.out.printf("SCAN sessions=%d live, maxSessions=%d: best thread CPU %.2f ms per pass (%.2f ns per configured session)%n",
                count[0], maxSessions, best / 1e6, (double) best / maxSessions);
        }
    }
}
