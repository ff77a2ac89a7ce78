package io.softgate.benchmarks.e2e;

import io.softgate.io.xdp.XdpStatistics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where packets are lost, sampled around every window: the kernel's drop counters along the
 * path, so a window that forwarded less than it was offered says at which step the rest went.
 * Sources: the gateway namespace's {@code /proc/net/snmp} (Ip and Udp error counters: a UDP
 * backend's socket overflowing counts as {@code gw.Udp.RcvbufErrors}), {@code ethtool -S} and the
 * drop statistics of {@code gw0} and {@code hv0} (veth: XDP and ring drops), the machine's
 * {@code /proc/net/softnet_stat} per CPU (backlog drops, time squeezes), the sink's AF_XDP socket
 * ({@code XDP_STATISTICS}: rx_dropped, rx_ring_full, fill_ring_empty), the same for the softgate's
 * AF_XDP sockets ({@code softgate.xsk.*}, read on copies of its descriptors) and the generator's own
 * transmit-ring-full count (packets it could not offer: not a loss of the gateway, but a sign the
 * generator's transmit, not the pacing, set the offered load).
 *
 * <p>Threading: stateless; called by the harness's main thread.
 */
final class DropCounters {
    private DropCounters() {
    }

    /** One sample of every counter, by name. */
    static Map<String, Long> sample(Topology topology, TrafficEndpoint endpoint, SoftgateProcess softgate)
        throws IOException {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.putAll(parse("gw.", Topology.run("ip", "netns", "exec", topology.gateway, "sh", "-c",
            "cat /proc/net/snmp; ethtool -S gw0 2>/dev/null; " + linkStatistics("gw0"))));
        counters.putAll(parse("hv.", Topology.run("ip", "netns", "exec", topology.hv, "sh", "-c",
            "ethtool -S hv0 2>/dev/null; " + linkStatistics("hv0"))));
        counters.putAll(softnet(Files.readAllLines(Path.of("/proc/net/softnet_stat"))));
        long[] sink = endpoint.socketStatistics();
        counters.put("sink.xsk.rx_dropped", sink[XdpStatistics.RX_DROPPED]);
        counters.put("sink.xsk.rx_ring_full", sink[XdpStatistics.RX_RING_FULL]);
        counters.put("sink.xsk.fill_ring_empty", sink[XdpStatistics.FILL_RING_EMPTY]);
        counters.put("generator.tx_ring_full_not_offered", endpoint.transmitRingFull());
        if (softgate != null) {
            counters.putAll(softgate.xdpSocketLosses());
        }
        return counters;
    }

    private static String linkStatistics(String device) {
        return "for f in rx_dropped tx_dropped rx_missed_errors; do echo " + device + "_$f: "
            + "$(cat /sys/class/net/" + device + "/statistics/$f); done";
    }

    /**
     * Counters whose name says they count a loss, from {@code /proc/net/snmp}-style header/value
     * line pairs ({@code Udp: InDatagrams NoPorts ...} then {@code Udp: 1 2 ...}) and
     * {@code name: value} lines (ethtool -S, sysfs), each name prefixed with {@code prefix}.
     */
    static Map<String, Long> parse(String prefix, String text) {
        Map<String, Long> counters = new LinkedHashMap<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].trim();
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon);
            String rest = line.substring(colon + 1).trim();
            if (i + 1 < lines.length && lines[i + 1].trim().startsWith(name + ":") && !rest.isEmpty()
                && !Character.isDigit(rest.charAt(0))) {
                String[] keys = rest.split("\\s+");
                String[] values = lines[i + 1].trim().substring(name.length() + 1).trim().split("\\s+");
                for (int k = 0; k < Math.min(keys.length, values.length); k++) {
                    putIfLoss(counters, prefix + name + "." + keys[k], values[k]);
                }
                i++;
            } else if (!rest.isEmpty() && !rest.contains(" ")) {
                putIfLoss(counters, prefix + name, rest);
            }
        }
        return counters;
    }

    private static void putIfLoss(Map<String, Long> counters, String name, String value) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        boolean loss = lower.contains("drop") || lower.contains("error") || lower.contains("discard")
            || lower.contains("full") || lower.contains("missed");
        if (!loss) {
            return;
        }
        try {
            counters.put(name, Long.parseLong(value));
        } catch (NumberFormatException e) {
            // Not a counter (a header word or a text field): skipped.
        }
    }

    /** softnet_stat: one line per CPU, hex columns; 2nd = dropped (backlog full), 3rd = time_squeeze. */
    static Map<String, Long> softnet(List<String> lines) {
        Map<String, Long> counters = new LinkedHashMap<>();
        for (int cpu = 0; cpu < lines.size(); cpu++) {
            String[] columns = lines.get(cpu).trim().split("\\s+");
            if (columns.length < 3) {
                continue;
            }
            counters.put("softnet.cpu" + cpu + ".backlog_dropped", Long.parseLong(columns[1], 16));
            counters.put("softnet.cpu" + cpu + ".time_squeeze", Long.parseLong(columns[2], 16));
        }
        return counters;
    }

    /** {@code after - before} per counter, only those that moved. */
    static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> delta = new LinkedHashMap<>();
        for (Map.Entry<String, Long> entry : after.entrySet()) {
            long moved = entry.getValue() - before.getOrDefault(entry.getKey(), 0L);
            if (moved != 0) {
                delta.put(entry.getKey(), moved);
            }
        }
        return delta;
    }
}
