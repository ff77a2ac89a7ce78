package io.softgate.service.systemtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lab of the feature system tests (NAT, load balancer, ACL): the foundation lab's kernel-VXLAN
 * hypervisors, one VPC each (LAB.md: no VRF devices, so one tenant per hypervisor namespace), plus
 * a border hypervisor whose L3VNI is the public VRF and behind which an "internet" namespace holds
 * the servers. The VPCs "blue" and "green" use the same private subnet, so two VMs can have the
 * same address. Routes that BGP EVPN would install are static, as in {@link FoundationTopology}.
 *
 * <pre>
 *  blue VMs 10.1.1.x -- hv-blue  [VTEP 10.255.0.11, L3VNI 5001] --+
 *  green VM 10.1.1.10 - hv-green [VTEP 10.255.0.12, L3VNI 5002] --+-- leaf -- softgate [VTEP 10.255.0.1]
 *  internet 203.0.113.10, .20 -- border [VTEP 10.255.0.13, L3VNI 5900 = public VRF] --+
 *  (optional) blue VMs 10.1.2.x -- hv-blue2 [VTEP 10.255.0.14, L3VNI 5001] ----------+
 * </pre>
 *
 * <p>Each hypervisor sends everything its VMs address outside their subnet to the softgate (a
 * default type-5 route from the softgate); the border sends the public addresses
 * ({@link #PUBLIC_RANGE}) to the softgate and the rest to the internet namespace.
 *
 * <p>Health probes of the load balancer: the softgate process probes backends from its own
 * namespace through the underlay (the leaf routes the blue subnet to hv-blue, hv-blue routes the
 * underlay back through the leaf), not through the overlay; see packaging/README.md.
 *
 * <p>Threading: confined to the test thread; {@link #close()} deletes every namespace it made.
 */
public final class FeatureTopology implements AutoCloseable {
    public static final String SOFTGATE_VTEP = "10.255.0.1";
    public static final String SOFTGATE_ROUTER_MAC = "02:5f:00:00:00:01";
    public static final int BLUE_L3VNI = 5001;
    public static final int GREEN_L3VNI = 5002;
    public static final int PUBLIC_L3VNI = 5900;
    public static final String BLUE_VTEP = "10.255.0.11";
    public static final String GREEN_VTEP = "10.255.0.12";
    public static final String BORDER_VTEP = "10.255.0.13";
    /** A second hypervisor of the blue VPC (same L3VNI), with its own subnet. */
    public static final String BLUE2_VTEP = "10.255.0.14";
    public static final String BLUE2_ROUTER_MAC = "02:5f:00:00:0b:04";
    public static final String BLUE2_SUBNET = "10.1.2.0/24";
    public static final String BLUE2_GATEWAY = "10.1.2.1";
    public static final String BLUE_ROUTER_MAC = "02:5f:00:00:0b:01";
    public static final String GREEN_ROUTER_MAC = "02:5f:00:00:0b:02";
    public static final String BORDER_ROUTER_MAC = "02:5f:00:00:0b:03";
    public static final String VPC_SUBNET = "10.1.1.0/24";
    public static final String VPC_GATEWAY = "10.1.1.1";
    public static final String PUBLIC_RANGE = "198.51.100.0/24";
    public static final String INTERNET_SUBNET = "203.0.113.0/24";
    public static final String SERVER_A = "203.0.113.10";
    public static final String SERVER_B = "203.0.113.20";
    /** The softgate's and the leaf's ends of their underlay link (the BGP session runs over it). */
    public static final String SOFTGATE_LINK = "172.16.3.2";
    public static final String LEAF_SOFTGATE_LINK = "172.16.3.1";
    public static final long ASN = 65000;
    /** VM MTU leaves room for the 50 bytes of VXLAN encapsulation on 1500-byte underlay links. */
    public static final int VM_MTU = 1400;

    private final String testName;
    private final List<NetworkNamespace> namespaces = new ArrayList<>();
    private final NetworkNamespace leaf;
    private final NetworkNamespace softgate;
    private final NetworkNamespace blueHypervisor;
    private NetworkNamespace secondBlueHypervisor;
    private final NetworkNamespace greenHypervisor;
    private final NetworkNamespace border;
    private final NetworkNamespace internet;
    private final Map<String, NetworkNamespace> vms = new LinkedHashMap<>();

    private FeatureTopology(String testName) {
        this.testName = testName;
        NetworkNamespace.deleteStaleNamespaces();
        leaf = track(NetworkNamespace.create(testName, "leaf"));
        softgate = track(NetworkNamespace.create(testName, "sg"));
        blueHypervisor = track(NetworkNamespace.create(testName, "hvb"));
        greenHypervisor = track(NetworkNamespace.create(testName, "hvg"));
        border = track(NetworkNamespace.create(testName, "border"));
        internet = track(NetworkNamespace.create(testName, "inet"));
    }

    /**
     * Builds the lab with VMs {@code blueVms} (name -> address in {@link #VPC_SUBNET}) behind the
     * blue hypervisor and {@code greenVms} behind the green one; on failure deletes what it made.
     */
    public static FeatureTopology build(String testName, Map<String, String> blueVms, Map<String, String> greenVms) {
        return build(testName, blueVms, greenVms, Map.of());
    }

    /**
     * As {@link #build(String, Map, Map)}, plus VMs {@code secondBlueVms} (addresses in
     * {@link #BLUE2_SUBNET}) behind a second hypervisor of the blue VPC (none if empty).
     */
    public static FeatureTopology build(String testName, Map<String, String> blueVms, Map<String, String> greenVms,
                                        Map<String, String> secondBlueVms) {
        FeatureTopology topology = new FeatureTopology(testName);
        try {
            topology.wireUnderlay();
            topology.wireHypervisor(topology.blueHypervisor, "172.16.1", BLUE_VTEP, BLUE_ROUTER_MAC, BLUE_L3VNI,
                VPC_GATEWAY, blueVms);
            topology.wireHypervisor(topology.greenHypervisor, "172.16.2", GREEN_VTEP, GREEN_ROUTER_MAC, GREEN_L3VNI,
                VPC_GATEWAY, greenVms);
            topology.wireBorder();
            // Health probes from the softgate's namespace reach the blue VMs through the underlay.
            topology.leaf.addRoute(VPC_SUBNET, "via", "172.16.1.2");
            topology.softgate.addRoute(VPC_SUBNET, "via", "172.16.3.1");
            if (!secondBlueVms.isEmpty()) {
                topology.secondBlueHypervisor = topology.track(NetworkNamespace.create(testName, "hvb2"));
                topology.linkToLeaf(topology.secondBlueHypervisor, "hvb2", "172.16.5", BLUE2_VTEP);
                topology.wireHypervisor(topology.secondBlueHypervisor, "172.16.5", BLUE2_VTEP, BLUE2_ROUTER_MAC,
                    BLUE_L3VNI, BLUE2_GATEWAY, secondBlueVms);
                topology.leaf.addRoute(BLUE2_SUBNET, "via", "172.16.5.2");
                topology.softgate.addRoute(BLUE2_SUBNET, "via", "172.16.3.1");
            }
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

    private void wireUnderlay() {
        leaf.enableForwarding();
        linkToLeaf(blueHypervisor, "hvb", "172.16.1", BLUE_VTEP);
        linkToLeaf(greenHypervisor, "hvg", "172.16.2", GREEN_VTEP);
        linkToLeaf(softgate, "sg", "172.16.3", SOFTGATE_VTEP);
        linkToLeaf(border, "border", "172.16.4", BORDER_VTEP);
    }

    private void linkToLeaf(NetworkNamespace host, String leafSide, String network, String vtep) {
        leaf.addVethPair(leafSide, host, "uplink");
        leaf.addAddress(leafSide, network + ".1/30");
        host.addAddress("uplink", network + ".2/30");
        host.addAddress("lo", vtep + "/32");
        host.addRoute("10.255.0.0/24", "via", network + ".1", "src", vtep);
        host.addRoute("172.16.0.0/16", "via", network + ".1");
        leaf.addRoute(vtep + "/32", "via", network + ".2");
        host.sysctl("net.ipv4.conf.all.rp_filter", "0");
        host.sysctl("net.ipv4.conf.default.rp_filter", "0");
    }

    /**
     * A VPC hypervisor: its VMs on a bridge whose address is their gateway, the L3VNI bridge with
     * the hypervisor's router MAC, and a default route through the softgate on that bridge.
     */
    private void wireHypervisor(NetworkNamespace hv, String underlay, String vtep, String routerMac, int l3vni,
                                String gateway, Map<String, String> vmAddresses) {
        hv.enableForwarding();
        hv.execOk("ip", "link", "add", "vms", "type", "bridge");
        hv.execOk("ip", "link", "set", "vms", "mtu", Integer.toString(VM_MTU));
        hv.execOk("ip", "link", "set", "vms", "up");
        hv.addAddress("vms", gateway + "/24");
        int n = 0;
        for (Map.Entry<String, String> entry : vmAddresses.entrySet()) {
            NetworkNamespace vm = track(NetworkNamespace.create(testName, entry.getKey()));
            vms.put(entry.getKey(), vm);
            String port = "vm" + n++;
            hv.addVethPair(port, vm, "eth0");
            hv.setMtu(port, VM_MTU);
            vm.setMtu("eth0", VM_MTU);
            hv.execOk("ip", "link", "set", port, "master", "vms");
            // A veth never fills in offloaded checksums (see FoundationTopology): the VM's stack must.
            vm.execOk("ethtool", "-K", "eth0", "tx", "off");
            vm.addAddress("eth0", entry.getValue() + "/24");
            vm.addRoute("default", "via", gateway);
        }
        wireL3vni(hv, vtep, routerMac, l3vni);
        hv.addRoute("default", "via", SOFTGATE_VTEP, "dev", "br" + l3vni, "onlink");
    }

    /** The border: the internet namespace on a routed veth, the public VRF's L3VNI toward the softgate. */
    private void wireBorder() {
        border.enableForwarding();
        border.addVethPair("inet", internet, "eth0");
        border.addAddress("inet", "203.0.113.1/24");
        internet.addAddress("eth0", SERVER_A + "/24");
        internet.addAddress("eth0", SERVER_B + "/24");
        internet.addRoute("default", "via", "203.0.113.1");
        internet.execOk("ethtool", "-K", "eth0", "tx", "off");
        // The border's own ICMP errors (TTL exceeded) come from its internet-facing address.
        wireL3vni(border, BORDER_VTEP, BORDER_ROUTER_MAC, PUBLIC_L3VNI);
        border.addRoute(PUBLIC_RANGE, "via", SOFTGATE_VTEP, "dev", "br" + PUBLIC_L3VNI, "onlink");
    }

    /** LAB.md's symmetric-IRB L3VNI: bridge with the router MAC, vxlan device, the softgate as neighbour. */
    private static void wireL3vni(NetworkNamespace hv, String vtep, String routerMac, int l3vni) {
        String bridge = "br" + l3vni;
        String vxlan = "vxlan" + l3vni;
        hv.execOk("ip", "link", "add", bridge, "type", "bridge");
        hv.execOk("ip", "link", "set", bridge, "address", routerMac);
        hv.execOk("ip", "link", "add", vxlan, "type", "vxlan", "id", Integer.toString(l3vni), "local", vtep,
            "dstport", "4789", "nolearning");
        hv.execOk("ip", "link", "set", vxlan, "master", bridge);
        hv.execOk("bridge", "link", "set", "dev", vxlan, "learning", "off");
        hv.execOk("ip", "link", "set", vxlan, "up");
        hv.execOk("ip", "link", "set", bridge, "up");
        hv.disableBridgeNetfilter();
        hv.sysctl("net.ipv4.conf." + bridge + ".rp_filter", "0");
        hv.execOk("ip", "neigh", "replace", SOFTGATE_VTEP, "lladdr", SOFTGATE_ROUTER_MAC, "dev", bridge, "nud",
            "permanent");
        hv.execOk("bridge", "fdb", "replace", SOFTGATE_ROUTER_MAC, "dev", vxlan, "master", "static");
        hv.execOk("bridge", "fdb", "replace", SOFTGATE_ROUTER_MAC, "dev", vxlan, "dst", SOFTGATE_VTEP, "self",
            "permanent");
    }

    /**
     * Writes a softgate configuration for this lab: VRFs blue, green and public with their routes,
     * plus {@code featureSections} (JSON members such as {@code "nat": {...}}, comma-separated)
     * appended to the top-level object.
     */
    public Path writeSoftgateConfig(Path directory, String featureSections) throws IOException {
        Files.createDirectories(directory);
        Path config = directory.resolve("softgate.json");
        String json = """
            {
              "node": {"name": "sg-features", "routerMac": "%s", "vtepAddress": "%s", "publicVrf": "public"},
              "dataplane": {"workers": 1, "batchSize": 64, "framesPerWorker": 4096, "idleStrategy": "backoff",
                            "statsIntervalSeconds": 2},
              "io": {"backend": "udp", "udp": {"bindAddress": "%s", "port": 4789}},
              "forwarding": {"vrfs": [
                {"name": "blue", "l3vni": %d, "routes": [
                  {"prefix": "%s", "nextHopVtep": "%s", "nextHopRouterMac": "%s"}%s]},
                {"name": "green", "l3vni": %d, "routes": [
                  {"prefix": "%s", "nextHopVtep": "%s", "nextHopRouterMac": "%s"}]},
                {"name": "public", "l3vni": %d, "gatewayIpv4": "198.51.100.254", "routes": [
                  {"prefix": "0.0.0.0/0", "nextHopVtep": "%s", "nextHopRouterMac": "%s"}]}]},
              "publicAddressRanges": ["%s"],
              "stateDir": "state",
              %s
            }
            """.formatted(SOFTGATE_ROUTER_MAC, SOFTGATE_VTEP, SOFTGATE_VTEP,
            BLUE_L3VNI, VPC_SUBNET, BLUE_VTEP, BLUE_ROUTER_MAC, secondBlueHypervisor == null ? ""
                : ",\n{\"prefix\": \"%s\", \"nextHopVtep\": \"%s\", \"nextHopRouterMac\": \"%s\"}"
                    .formatted(BLUE2_SUBNET, BLUE2_VTEP, BLUE2_ROUTER_MAC),
            GREEN_L3VNI, VPC_SUBNET, GREEN_VTEP, GREEN_ROUTER_MAC,
            PUBLIC_L3VNI, BORDER_VTEP, BORDER_ROUTER_MAC, PUBLIC_RANGE, featureSections);
        Files.writeString(config, json);
        return config;
    }

    public NetworkNamespace vm(String name) {
        NetworkNamespace vm = vms.get(name);
        if (vm == null) {
            throw new IllegalArgumentException("no VM " + name + " in " + vms.keySet());
        }
        return vm;
    }

    public NetworkNamespace internet() {
        return internet;
    }

    public NetworkNamespace softgate() {
        return softgate;
    }

    public NetworkNamespace leaf() {
        return leaf;
    }

    /**
     * A {@code bgp} section (for {@link #writeSoftgateConfig}'s feature sections) that peers with
     * an FRR leaf started by {@link FeatureLab#startFrrLeaf()}: iBGP over the softgate's link, no
     * public address listed (the load balancer's VIPs are advertised by their health alone).
     */
    public static String bgpSection() {
        return """
            "bgp": {"enabled": true, "asn": %d, "routerId": "%s", "listenAddress": "%s",
                    "neighbors": [{"address": "%s", "remoteAsn": %d, "localAddress": "%s", "holdTimeSeconds": 9}],
                    "underlayPrefixes": ["10.255.0.0/24", "172.16.0.0/16"]}
            """.formatted(ASN, SOFTGATE_VTEP, SOFTGATE_LINK, LEAF_SOFTGATE_LINK, ASN, SOFTGATE_LINK);
    }

    /** The leaf's bgpd configuration: one iBGP l2vpn evpn session to the softgate, nothing else. */
    static String leafBgpConf() {
        return """
            hostname leaf
            router bgp %d
             bgp router-id 10.255.0.254
             no bgp default ipv4-unicast
             neighbor %s remote-as %d
             neighbor %s timers 3 9
             neighbor %s timers connect 1
             address-family l2vpn evpn
              neighbor %s activate
             exit-address-family
            """.formatted(ASN, SOFTGATE_LINK, ASN, SOFTGATE_LINK, SOFTGATE_LINK, SOFTGATE_LINK);
    }

    public NetworkNamespace border() {
        return border;
    }

    public NetworkNamespace blueHypervisor() {
        return blueHypervisor;
    }

    /** Deletes every namespace of the lab (interfaces go with them). Idempotent. */
    @Override
    public void close() {
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            namespaces.get(i).close();
        }
    }
}
