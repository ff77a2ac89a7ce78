package io.softgate.service.trace;

import io.softgate.core.pipeline.PacketTracer;
import io.softgate.core.pipeline.Pipeline;
import io.softgate.core.pipeline.TraceFilter;
import io.softgate.core.pipeline.TraceSession;
import io.softgate.core.pipeline.Worker;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import io.softgate.service.config.Addresses;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Packet trace for the API and the CLI: compiles a {@link TraceRequest} into a {@link TraceFilter}
 * (VRF names resolved against the current forwarding tables), arms every worker's
 * {@link PacketTracer} with one shared {@link TraceSession}, and turns the workers' recorded steps
 * into a readable result: per packet, each stage it passed, the verdict (the next stage it was
 * sent to, or the drop reason) and the decision word. A finished trace disarms itself when its
 * result is read; a new trace replaces the running one.
 *
 * <p>Threading: any control thread (synchronized); the workers record on their own threads.
 */
public final class TraceService {
    private final List<Worker> workers;
    private final SnapshotPublisher publisher;
    private long nextId = 1;
    private TraceSession session;
    private TraceRequest request;

    public TraceService(List<Worker> workers, SnapshotPublisher publisher) {
        this.workers = List.copyOf(workers);
        this.publisher = publisher;
    }

    /** One step of one traced packet, readable. */
    public record Step(String stage, String verdict, Long decision, String detail, String vrf) {
    }

    /** One traced packet: the number it claimed, the worker, the VNI it matched with, its steps in order. */
    public record Packet(int packet, int worker, int vni, List<Step> steps) {
    }

    /** The state of the current trace. */
    public record Result(long id, TraceRequest request, int requested, int matched, boolean complete, List<Packet> packets) {
    }

    /** Compiles {@code next} and arms every worker with it; returns the new trace's id. */
    public synchronized long start(TraceRequest next) throws TraceRejectedException {
        TraceFilter filter = compile(next);
        int count = next.count() == null ? 1 : next.count();
        TraceSession armed = new TraceSession(nextId++, filter, count);
        for (Worker worker : workers) {
            worker.pipeline().tracer().arm(armed);
        }
        session = armed;
        request = next;
        return armed.id();
    }

    /** Disarms every worker (the steps recorded so far stay readable). */
    public synchronized void stop() {
        for (Worker worker : workers) {
            worker.pipeline().tracer().disarm();
        }
    }

    /** The current trace (null before the first); a complete trace is disarmed by reading it. */
    public synchronized Result result() {
        TraceSession current = session;
        if (current == null) {
            return null;
        }
        if (current.complete()) {
            stop();
        }
        io.softgate.core.snapshot.ConfigSnapshot snapshot = publisher.current();
        ForwardingTables tables = snapshot.get(ForwardingTables.SLOT);
        Map<Integer, Packet> packets = new LinkedHashMap<>();
        for (Worker worker : workers) {
            Pipeline pipeline = worker.pipeline();
            List<String> stages = pipeline.stageNames();
            List<List<String>> next = pipeline.nextStageNames();
            List<List<String>> drops = pipeline.dropReasonLabels();
            for (PacketTracer.Step step : pipeline.tracer().steps(current.id())) {
                if (step.stage() == PacketTracer.MATCHED) {
                    packets.put(step.packet(), new Packet(step.packet(), worker.id(), step.outcome(), new ArrayList<>()));
                    continue;
                }
                Packet packet = packets.get(step.packet());
                if (packet == null) {
                    continue;
                }
                String verdict = step.dropped()
                    ? "drop:" + label(drops.get(step.stage()), step.dropReason())
                    : label(next.get(step.stage()), step.edge());
                String stage = stages.get(step.stage());
                boolean decided = step.decision() != PacketTracer.NO_DECISION;
                packet.steps().add(new Step(stage, verdict, decided ? step.decision() : null,
                    decided ? detail(snapshot, stage, step.decision(), step.detail()) : null, vrfName(tables, step.vrf())));
            }
        }
        List<Packet> ordered = new ArrayList<>(packets.values());
        ordered.sort(Comparator.comparingInt(Packet::packet));
        return new Result(current.id(), request, current.packetCount(), current.claimedPackets(), current.complete(),
            ordered);
    }

    /**
     * The decision word in words, looked up in the current snapshot (the tables a packet was
     * traced with may have been replaced since): an ACL rule's name, an LB backend, a route's
     * next hop, the NAT's session, rule or reason (its two words); null when the stage's word has
     * no known meaning.
     */
    static String detail(io.softgate.core.snapshot.ConfigSnapshot snapshot, String stage, long decision,
                         long secondWord) {
        try {
            if (stage.startsWith("nat44-")) {
                return io.softgate.nat.stage.NatTraceDecision.describe(decision, secondWord,
                    snapshot.get(io.softgate.nat.compile.NatTables.SLOT));
            }
            if (stage.startsWith("acl-")) {
                io.softgate.acl.classify.AclTables acl = snapshot.get(io.softgate.acl.classify.AclTables.SLOT);
                return acl == null ? null : "rule " + acl.counterName((int) decision);
            }
            if (stage.equals(io.softgate.lb.stage.VipStage.NAME)) {
                io.softgate.lb.compile.LoadBalancerTables lb = snapshot.get(io.softgate.lb.compile.LoadBalancerTables.SLOT);
                int backend = (int) decision;
                return lb == null || backend < 0 ? "no backend"
                    : "backend " + io.softgate.core.packet.Ipv4Flyweight.format(lb.backendAddress(backend)) + ":"
                        + lb.backendPort(backend);
            }
            ForwardingTables forwarding = snapshot.get(ForwardingTables.SLOT);
            if (forwarding != null && (stage.equals("vrf-route") || stage.equals("vxlan-encap"))) {
                int adjacency = (int) decision;
                return forwarding.adjacencies().isIpPort(adjacency) ? "port " + forwarding.adjacencies().egressPort(adjacency)
                    : "vtep " + io.softgate.core.packet.Ipv4Flyweight.format(forwarding.adjacencies().vtepAddress(adjacency));
            }
        } catch (RuntimeException e) {
            return null; // a word from older tables that the current ones do not hold
        }
        return null;
    }

    private static String label(List<String> labels, int index) {
        return index >= 0 && index < labels.size() ? labels.get(index) : "#" + index;
    }

    private static String vrfName(ForwardingTables tables, int vrf) {
        if (vrf < 0) {
            return null;
        }
        String name = tables == null || vrf >= tables.vrfCount() ? null : tables.vrfName(vrf);
        return name == null ? "vrf" + vrf : name;
    }

    /** The filter of {@code next}, or the field that is wrong. */
    TraceFilter compile(TraceRequest next) throws TraceRejectedException {
        int count = next.count() == null ? 1 : next.count();
        if (count < 1 || count > TraceRequest.MAX_PACKETS) {
            throw new TraceRejectedException("count", "must be 1.." + TraceRequest.MAX_PACKETS + " (was " + count + ")");
        }
        int vni = TraceFilter.ANY;
        if (next.vni() != null) {
            if (next.vni() < 0 || next.vni() > 0xFFFFFF) {
                throw new TraceRejectedException("vni", "must be 0..16777215 (was " + next.vni() + ")");
            }
            vni = next.vni();
        }
        int vrf = TraceFilter.ANY;
        if (next.vrf() != null) {
            ForwardingTables tables = publisher.current().get(ForwardingTables.SLOT);
            vrf = tables == null ? -1 : tables.vrfIndex(next.vrf());
            if (vrf < 0) {
                throw new TraceRejectedException("vrf", "no VRF or VPC named " + next.vrf());
            }
        }
        int[] source = prefix("sourcePrefix", next.sourcePrefix());
        int[] destination = prefix("destinationPrefix", next.destinationPrefix());
        int protocol = protocol(next.protocol());
        int sourcePort = port("sourcePort", next.sourcePort());
        int destinationPort = port("destinationPort", next.destinationPort());
        if ((sourcePort != TraceFilter.ANY || destinationPort != TraceFilter.ANY) && protocol != 6 && protocol != 17) {
            throw new TraceRejectedException("protocol", "ports need protocol tcp or udp");
        }
        return new TraceFilter(vni, vrf, source[0], source[1], destination[0], destination[1], protocol, sourcePort,
            destinationPort);
    }

    private static int[] prefix(String field, String text) throws TraceRejectedException {
        if (text == null) {
            return new int[] {0, 0};
        }
        String withLength = text.contains("/") ? text : text + "/32";
        try {
            Addresses.Prefix prefix = Addresses.parsePrefix(withLength);
            if (prefix.address().length != 4) {
                throw new TraceRejectedException(field, "must be an IPv4 prefix (trace filters inner IPv4 packets)");
            }
            return new int[] {java.nio.ByteBuffer.wrap(prefix.address()).getInt(), prefix.length()};
        } catch (IllegalArgumentException e) {
            throw new TraceRejectedException(field, "not an IPv4 prefix: " + text);
        }
    }

    private static int protocol(String text) throws TraceRejectedException {
        if (text == null) {
            return TraceFilter.ANY;
        }
        switch (text.toLowerCase(Locale.ROOT)) {
            case "tcp":
                return 6;
            case "udp":
                return 17;
            case "icmp":
                return 1;
            default:
                try {
                    int number = Integer.parseInt(text);
                    if (number >= 0 && number <= 255) {
                        return number;
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
                throw new TraceRejectedException("protocol", "must be tcp, udp, icmp or 0..255 (was " + text + ")");
        }
    }

    private static int port(String field, Integer port) throws TraceRejectedException {
        if (port == null) {
            return TraceFilter.ANY;
        }
        if (port < 0 || port > 65535) {
            throw new TraceRejectedException(field, "must be 0..65535 (was " + port + ")");
        }
        return port;
    }
}
