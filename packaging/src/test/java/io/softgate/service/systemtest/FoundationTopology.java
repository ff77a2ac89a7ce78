package io.softgate.service.systemtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The foundation lab of LAB.md in network namespaces: two hypervisors that are kernel VXLAN VTEPs
 * for one L3VNI (symmetric IRB, RFC 9135: a bridge with the hypervisor's router MAC and a vxlan
 * device on the VTEP address held by {@code lo}), a VM behind each in its own subnet, a leaf that
 * routes the underlay, and an empty namespace for the softgate. The routes that BGP EVPN would
 * install on the hypervisors are programmed statically: the other VM's subnet via the softgate's
 * VTEP on the L3VNI bridge, a permanent neighbour entry with the softgate's router MAC, and the
 * matching fdb entries on the vxlan device.
 *
 * <pre>
 *  vm1 10.1.1.10 --- hv1 [VTEP 10.255.0.11] ---+                +--- hv2 [VTEP 10.255.0.12] --- vm2 10.1.2.10
 *                     172.16.1.2/30            +--- leaf ---+---+     172.16.2.2/30
 *                                                           |
 *                                          softgate [VTEP 10.255.0.1] 172.16.3.2/30
 * </pre>
 *
 * <p>Threading: confined to the test thread; {@link #close()} deletes every namespace it made.
 */
public final class FoundationTopology implements AutoCloseable {
    public static final int L3VNI = 5001;
    public static final String SOFTGATE_VTEP = "10.255.0.1";
    public static final String HV1_VTEP = "10.255.0.11";
    public static final String HV2_VTEP = "10.255.0.12";
    public static final String SOFTGATE_ROUTER_MAC = "02:5f:00:00:00:01";
    public static final String HV1_ROUTER_MAC = "02:5f:00:00:0b:01";
    public static final String HV2_ROUTER_MAC = "02:5f:00:00:0b:02";
    public static final String VM1_SUBNET = "10.1.1.0/24";
    public static final String VM2_SUBNET = "10.1.2.0/24";
    public static final String VM1_ADDRESS = "10.1.1.10";
    public static final String VM2_ADDRESS = "10.1.2.10";
    /** The softgate's underlay interface, where the test captures. */
    public static final String SOFTGATE_UPLINK = "uplink";
    /** VM MTU leaves room for the 50 bytes of VXLAN encapsulation on 1500-byte underlay links. */
    public static final int VM_MTU = 1400;

    private final List<NetworkNamespace> namespaces = new ArrayList<>();
    private final NetworkNamespace leaf;
    private final NetworkNamespace hypervisor1;
    private final NetworkNamespace hypervisor2;
    private final NetworkNamespace vm1;
    private final NetworkNamespace vm2;
    private final NetworkNamespace softgate;

    private FoundationTopology(String testName) {
        NetworkNamespace.deleteStaleNamespaces();
        leaf = track(NetworkNamespace.create(testName, "leaf"));
        hypervisor1 = track(NetworkNamespace.create(testName, "hv1"));
        hypervisor2 = track(NetworkNamespace.create(testName, "hv2"));
        vm1 = track(NetworkNamespace.create(testName, "vm1"));
        vm2 = track(NetworkNamespace.create(testName, "vm2"));
        softgate = track(NetworkNamespace.create(testName, "sg"));
    }

    /** Builds the whole lab; on any failure, deletes what was created and rethrows. */
    public static FoundationTopology build(String testName) {
        FoundationTopology topology = new FoundationTopology(testName);
        try {
            topology.wireUnderlay();
            topology.wireHypervisor(topology.hypervisor1, "172.16.1", HV1_VTEP, HV1_ROUTER_MAC, topology.vm1, "10.1.1",
                VM2_SUBNET);
            topology.wireHypervisor(topology.hypervisor2, "172.16.2", HV2_VTEP, HV2_ROUTER_MAC, topology.vm2, "10.1.2",
                VM1_SUBNET);
            return topology;
        } catch (RuntimeException e) {
            topology.close();
            throw e;
        }
    }

    private NetworkNamespace track(NetworkNamespace namespace) {
        namespaces.add(namespace);
        return namespace;
    }

    /** Leaf: one /30 to each VTEP host and a /32 route to each VTEP behind it. */
    private void wireUnderlay() {
        leaf.enableForwarding();
        linkToLeaf(hypervisor1, "hv1", "172.16.1", HV1_VTEP);
        linkToLeaf(hypervisor2, "hv2", "172.16.2", HV2_VTEP);
        linkToLeaf(softgate, "sg", "172.16.3", SOFTGATE_VTEP);
    }

    private void linkToLeaf(NetworkNamespace host, String leafSide, String network, String vtep) {
        leaf.addVethPair(leafSide, host, "uplink");
        leaf.addAddress(leafSide, network + ".1/30");
        host.addAddress("uplink", network + ".2/30");
        host.addAddress("lo", vtep + "/32");
        host.addRoute("10.255.0.0/24", "via", network + ".1", "src", vtep);
        leaf.addRoute(vtep + "/32", "via", network + ".2");
        host.sysctl("net.ipv4.conf.all.rp_filter", "0");
        host.sysctl("net.ipv4.conf.default.rp_filter", "0");
    }

    /**
     * A hypervisor VTEP: the VM on a routed veth (gateway {@code vmNetwork.1}), the L3VNI bridge
     * with this hypervisor's router MAC, and the route to the other VM's subnet through the
     * softgate, as an EVPN type-5 route from the softgate would install it (LAB.md).
     */
    private void wireHypervisor(NetworkNamespace hv, String underlay, String vtep, String routerMac,
                                NetworkNamespace vm, String vmNetwork, String remoteSubnet) {
        hv.enableForwarding();
        hv.addVethPair("vm", vm, "eth0");
        hv.setMtu("vm", VM_MTU);
        vm.setMtu("eth0", VM_MTU);
        // A veth never computes checksums it was asked to offload, and kernel VXLAN carries the
        // partial checksum inside the tunnel: the softgate would receive (and correctly forward
        // unchanged) TCP segments whose checksum was never filled in. A VM's NIC, like real
        // hardware, must hand over finished packets, so its stack computes them.
        vm.execOk("ethtool", "-K", "eth0", "tx", "off");
        hv.addAddress("vm", vmNetwork + ".1/24");
        vm.addAddress("eth0", vmNetwork + ".10/24");
        vm.addRoute("default", "via", vmNetwork + ".1");

        String bridge = "br" + L3VNI;
        String vxlan = "vxlan" + L3VNI;
        hv.execOk("ip", "link", "add", bridge, "type", "bridge");
        hv.execOk("ip", "link", "set", bridge, "address", routerMac);
        hv.execOk("ip", "link", "add", vxlan, "type", "vxlan", "id", Integer.toString(L3VNI), "local", vtep,
            "dstport", "4789", "nolearning");
        hv.execOk("ip", "link", "set", vxlan, "master", bridge);
        hv.execOk("bridge", "link", "set", "dev", vxlan, "learning", "off");
        hv.execOk("ip", "link", "set", vxlan, "up");
        hv.execOk("ip", "link", "set", bridge, "up");
        hv.disableBridgeNetfilter();
        hv.sysctl("net.ipv4.conf." + bridge + ".rp_filter", "0");

        // What EVPN would install for a type-5 route from the softgate (LAB.md): the route on
        // the L3VNI bridge, the softgate's VTEP as a neighbour with its router MAC, and the fdb
        // entries that send that MAC through the vxlan device to the softgate's VTEP.
        hv.addRoute(remoteSubnet, "via", SOFTGATE_VTEP, "dev", bridge, "onlink");
        hv.execOk("ip", "neigh", "replace", SOFTGATE_VTEP, "lladdr", SOFTGATE_ROUTER_MAC, "dev", bridge, "nud", "permanent");
        hv.execOk("bridge", "fdb", "replace", SOFTGATE_ROUTER_MAC, "dev", vxlan, "master", "static");
        hv.execOk("bridge", "fdb", "replace", SOFTGATE_ROUTER_MAC, "dev", vxlan, "dst", SOFTGATE_VTEP, "self", "permanent");
    }

    /**
     * Writes the softgate's configuration for this lab: UDP backend on its VTEP address, one VRF
     * for the L3VNI with a static route to each VM subnet via that hypervisor's VTEP and router MAC.
     */
    public Path writeSoftgateConfig(Path directory) throws IOException {
        return writeSoftgateConfig(directory, "{\"backend\": \"udp\", \"udp\": {\"bindAddress\": \"" + SOFTGATE_VTEP
            + "\", \"port\": 4789}}", "");
    }

    /**
     * As {@link #writeSoftgateConfig(Path)} with {@code ioJson} as the {@code io} section and
     * {@code extraNodeFields} (empty, or {@code , "field": value...}) appended to {@code node}.
     */
    public Path writeSoftgateConfig(Path directory, String ioJson, String extraNodeFields) throws IOException {
        Files.createDirectories(directory);
        Path config = directory.resolve("softgate.json");
        String json = """
            {
              "node": {"name": "sg-foundation", "routerMac": "%s", "vtepAddress": "%s"%s},
              "dataplane": {"workers": 1, "batchSize": 64, "framesPerWorker": 4096, "idleStrategy": "backoff",
                            "statsIntervalSeconds": 2},
              "io": %s,
              "forwarding": {"vrfs": [{"name": "tenant", "l3vni": %d, "routes": [
                {"prefix": "%s", "nextHopVtep": "%s", "nextHopRouterMac": "%s"},
                {"prefix": "%s", "nextHopVtep": "%s", "nextHopRouterMac": "%s"}]}]},
              "stateDir": "state"
            }
            """.formatted(SOFTGATE_ROUTER_MAC, SOFTGATE_VTEP, extraNodeFields, ioJson, L3VNI,
            VM1_SUBNET, HV1_VTEP, HV1_ROUTER_MAC, VM2_SUBNET, HV2_VTEP, HV2_ROUTER_MAC);
        Files.writeString(config, json);
        return config;
    }

    /** The MAC address of {@code device} in {@code namespace}, as {@code ip} prints it. */
    public static String macAddress(NetworkNamespace namespace, String device) {
        return namespace.execOk("cat", "/sys/class/net/" + device + "/address").trim();
    }

    public NetworkNamespace hypervisor1() {
        return hypervisor1;
    }

    public NetworkNamespace hypervisor2() {
        return hypervisor2;
    }

    public NetworkNamespace vm1() {
        return vm1;
    }

    public NetworkNamespace vm2() {
        return vm2;
    }

    public NetworkNamespace softgate() {
        return softgate;
    }

    public NetworkNamespace leaf() {
        return leaf;
    }

    /** Deletes every namespace of the lab (interfaces go with them). Idempotent. */
    @Override
    public void close() {
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            namespaces.get(i).close();
        }
    }
}
