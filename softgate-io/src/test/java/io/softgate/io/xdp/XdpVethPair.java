package io.softgate.io.xdp;

import io.softgate.io.jnr.TestNamespaces;
import java.io.IOException;

/**
 * A veth pair for AF_XDP tests: {@link #GATEWAY_END} in the gateway namespace (10.252.0.1/24, the
 * VTEP) and {@link #REMOTE_END} in the remote namespace (10.252.0.2/24), IPv6 off on both.
 *
 * <p>Threading: test thread only.
 */
final class XdpVethPair {
    static final String GATEWAY_END = "sgx0";
    static final String REMOTE_END = "sgx1";

    private XdpVethPair() {
    }

    static void create(TestNamespaces namespaces, String gateway, String remote) throws IOException {
        create(namespaces, gateway, remote, 1);
    }

    /** The pair with {@code queues} RX and TX queues on each end. */
    static void create(TestNamespaces namespaces, String gateway, String remote, int queues) throws IOException {
        String count = Integer.toString(queues);
        // Both ends get the same queue counts: native XDP on veth wants at least as many RX queues
        // as the peer has TX queues.
        namespaces.ip(gateway, "link", "add", GATEWAY_END, "numrxqueues", count, "numtxqueues", count, "type", "veth",
            "peer", "name", REMOTE_END, "numrxqueues", count, "numtxqueues", count, "netns", remote);
        namespaces.sysctl(gateway, "net.ipv6.conf." + GATEWAY_END + ".disable_ipv6", "1");
        namespaces.sysctl(remote, "net.ipv6.conf." + REMOTE_END + ".disable_ipv6", "1");
        namespaces.ip(gateway, "addr", "add", "10.252.0.1/24", "dev", GATEWAY_END);
        namespaces.ip(remote, "addr", "add", "10.252.0.2/24", "dev", REMOTE_END);
        namespaces.ip(gateway, "link", "set", GATEWAY_END, "up");
        namespaces.ip(remote, "link", "set", REMOTE_END, "up");
    }
}
