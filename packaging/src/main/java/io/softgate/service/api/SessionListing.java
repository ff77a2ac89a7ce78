package io.softgate.service.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.softgate.core.flow.FlowTable;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import io.softgate.lb.compile.LoadBalancerTables;
import io.softgate.lb.stage.ConnectionLayout;
import io.softgate.nat.session.NatSessions;
import io.softgate.nat.session.SessionKeys;
import io.softgate.nat.session.TcpStates;

/**
 * The answer of {@code GET /api/softgate/sessions}: the live NAT sessions and load-balanced
 * connections read from the running tables, filtered, at most {@code limit} of them listed (in
 * table order), with how many matched in all and whether the list was cut.
 *
 * <p>Cost: one lock-free pass over each table (every slot, live or not: about 4 slots per
 * configured session or connection), on the API thread; the workers never wait for it. A node
 * sized for a million sessions takes some tens of milliseconds of control-plane CPU per request.
 * The answer holds at most {@code limit} items, whatever the table size.
 *
 * <p>Threading: one instance per request, on the API thread.
 */
final class SessionListing {
    private final SessionFilter filter;
    private final ForwardingTables forwarding;
    private final long nowNs;
    private final ArrayNode items = Envelope.array();
    private long matched;
    private long lbConnections;

    private SessionListing(SessionFilter filter, ConfigSnapshot snapshot, long nowNs) {
        this.filter = filter;
        this.forwarding = snapshot == null ? null : snapshot.get(ForwardingTables.SLOT);
        this.nowNs = nowNs;
    }

    /** Lists the sessions of {@code state}'s tables that pass {@code filter}. */
    static ObjectNode list(StateSources state, ConfigSnapshot snapshot, SessionFilter filter) {
        SessionListing listing = new SessionListing(filter, snapshot, state.nanoClock().getAsLong());
        if (state.natSessions() != null) {
            listing.addNat(state.natSessions());
        }
        LoadBalancerTables lbTables = snapshot == null ? null : snapshot.get(LoadBalancerTables.SLOT);
        if (state.lbConnections() != null && lbTables != null) {
            listing.addLoadBalancer(state.lbConnections().table(), lbTables.publicVrf());
        }
        ObjectNode data = Envelope.object();
        data.put("natSessions", state.natSessions() == null ? 0 : state.natSessions().sessionCount());
        data.put("lbConnections", listing.lbConnections);
        data.put("matched", listing.matched);
        data.put("returned", listing.items.size());
        data.put("limit", filter.limit());
        data.put("truncated", listing.matched > listing.items.size());
        data.set("sessions", listing.items);
        return data;
    }

    private void addNat(NatSessions sessions) {
        int nowTick = SessionKeys.tick(nowNs);
        sessions.forEachSession((protocol, vrf, inside, insidePort, outside, outsidePort, remote, remotePort, tcpState,
                                 expiryTick, dynamic) -> {
            int remainingTicks = expiryTick - nowTick;
            if (remainingTicks < 0) {
                return; // expired, waiting for the sweeper: no packet matches it any more
            }
            String vpc = vrfName(vrf);
            if (!filter.acceptsVpc(vpc) || !filter.acceptsAddresses(inside, outside, remote)) {
                return;
            }
            matched++;
            if (items.size() >= filter.limit()) {
                return;
            }
            ObjectNode item = items.addObject();
            item.put("kind", "nat");
            item.put("mapping", dynamic ? "dynamic" : "static");
            item.put("protocol", protocolName(protocol));
            item.put("vpc", vpc);
            item.put("inside", endpoint(inside, insidePort));
            item.put("outside", endpoint(outside, outsidePort));
            item.put("remote", endpoint(remote, remotePort));
            if (protocol == Ipv4Flyweight.PROTOCOL_TCP) {
                item.put("tcpState", tcpStateName(tcpState));
            } else {
                item.putNull("tcpState");
            }
            // A tick is 2^20 ns (SessionKeys): remaining ticks to whole seconds.
            item.put("expiresInSeconds", ((long) remainingTicks << 20) / 1_000_000_000L);
        });
    }

    private void addLoadBalancer(FlowTable table, int publicVrf) {
        table.forEach((entry, key, value, expiresAtNs) -> {
            int keyVrf = (int) (key[1] & 0xFF_FFFFL);
            int backendVrf = ConnectionLayout.vrf(value[ConnectionLayout.TARGET]);
            // Each connection has a forward entry (client -> VIP, keyed in the public VRF, routed on
            // into the backend's VPC) and a reverse one; list it once, by its forward entry.
            if (keyVrf != publicVrf || backendVrf == publicVrf || expiresAtNs < nowNs) {
                return;
            }
            lbConnections++;
            int client = (int) (key[0] >>> 32);
            int vip = (int) key[0];
            int clientPort = (int) (key[1] >>> 48) & 0xFFFF;
            int vipPort = (int) (key[1] >>> 32) & 0xFFFF;
            int protocol = (int) (key[1] >>> 24) & 0xFF;
            long backend = value[ConnectionLayout.NEW_DESTINATION];
            long source = value[ConnectionLayout.NEW_SOURCE];
            String vpc = vrfName(backendVrf);
            int backendAddress = ConnectionLayout.address(backend);
            if (!filter.acceptsVpc(vpc) || !filter.acceptsAddresses(backendAddress, vip, client)) {
                return;
            }
            matched++;
            if (items.size() >= filter.limit()) {
                return;
            }
            ObjectNode item = items.addObject();
            item.put("kind", "lb");
            item.put("protocol", protocolName(protocol));
            item.put("vpc", vpc);
            item.put("inside", endpoint(backendAddress, ConnectionLayout.port(backend)));
            item.put("outside", endpoint(vip, vipPort));
            item.put("remote", endpoint(client, clientPort));
            if (ConnectionLayout.address(source) != client || ConnectionLayout.port(source) != clientPort) {
                item.put("fullNatSource", endpoint(ConnectionLayout.address(source), ConnectionLayout.port(source)));
            }
            item.putNull("tcpState"); // the LB tracks connections by idle time only
            item.put("expiresInSeconds", (expiresAtNs - nowNs) / 1_000_000_000L);
        });
    }

    private String vrfName(int vrf) {
        String name = forwarding == null || vrf < 0 || vrf >= forwarding.vrfCount() ? null : forwarding.vrfName(vrf);
        return name == null ? "vrf" + vrf : name;
    }

    private static String endpoint(int address, int port) {
        return Ipv4Flyweight.format(address) + ":" + port;
    }

    static String protocolName(int protocol) {
        return switch (protocol) {
            case Ipv4Flyweight.PROTOCOL_TCP -> "tcp";
            case Ipv4Flyweight.PROTOCOL_UDP -> "udp";
            case Ipv4Flyweight.PROTOCOL_ICMP -> "icmp";
            default -> Integer.toString(protocol);
        };
    }

    static String tcpStateName(int state) {
        return switch (state) {
            case TcpStates.SYN_FROM_INSIDE -> "syn-from-inside";
            case TcpStates.SYN_FROM_OUTSIDE -> "syn-from-outside";
            case TcpStates.ESTABLISHED -> "established";
            case TcpStates.FIN_FROM_INSIDE -> "fin-from-inside";
            case TcpStates.FIN_FROM_OUTSIDE -> "fin-from-outside";
            case TcpStates.FIN_BOTH -> "fin-both";
            case TcpStates.RESET -> "reset";
            case TcpStates.MIDSTREAM_FROM_INSIDE -> "midstream-from-inside";
            case TcpStates.MIDSTREAM_FROM_OUTSIDE -> "midstream-from-outside";
            default -> "none";
        };
    }
}
