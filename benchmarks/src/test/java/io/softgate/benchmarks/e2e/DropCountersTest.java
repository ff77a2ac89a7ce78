package io.softgate.benchmarks.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DropCountersTest {
    @Test
    void shouldReadLossCountersFromSnmpHeaderAndValueLines() {
        String snmp = "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors\n"
            + "Udp: 100 1 7 90 5 0\n";

        assertEquals(Map.of("gw.Udp.InErrors", 7L, "gw.Udp.RcvbufErrors", 5L, "gw.Udp.SndbufErrors", 0L),
            DropCounters.parse("gw.", snmp));
    }

    @Test
    void shouldReadLossCountersFromNameValueLines() {
        String ethtool = "NIC statistics:\n     peer_ifindex: 257\n     rx_queue_0_xdp_drops: 12\n     rx_queue_0_xdp_packets: 99\n"
            + "gw0_rx_dropped: 3\n";

        assertEquals(Map.of("hv.rx_queue_0_xdp_drops", 12L, "hv.gw0_rx_dropped", 3L), DropCounters.parse("hv.", ethtool));
    }

    @Test
    void shouldReadBacklogDropsPerCpuFromSoftnetStat() {
        Map<String, Long> counters = DropCounters.softnet(List.of(
            "0b942274 00000010 00000026 00000000", "0d588f90 00000000 00002a74 00000000"));

        assertEquals(16L, counters.get("softnet.cpu0.backlog_dropped"));
        assertEquals(0x2a74L, counters.get("softnet.cpu1.time_squeeze"));
    }

    @Test
    void shouldKeepOnlyTheCountersThatMoved() {
        assertEquals(Map.of("a", 5L), DropCounters.delta(Map.of("a", 1L, "b", 2L), Map.of("a", 6L, "b", 2L)));
    }
}
