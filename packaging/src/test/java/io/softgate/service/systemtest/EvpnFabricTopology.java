package io.softgate.service.systemtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The BGP EVPN lab of issue 3 in network namespaces (LAB.md): an FRR leaf that routes the
 * underlay and reflects l2vpn evpn routes, two FRR hypervisors that are symmetric-IRB VTEPs
 * (kernel VXLAN, an L2VNI bridge with the VM's anycast gateway, the L3VNI 5001 bridge with the
 * hypervisor's router MAC, zebra's {@code vni 5001} binding it to the default VRF), a VM behind
 * each in its own subnet, and an empty namespace for the softgate. Nothing about the softgate is
 * configured statically: the hypervisors learn where to send traffic from its type-5 routes only.
 *
 * <p>The leaf does not reflect type-2 routes to the hypervisors (route-map {@code TO-HV}), so
 * they do not learn each other's VMs and route vm1 <-> vm2 through the softgate's default route;
 * the softgate still receives every type-2 route.
 *
 * <pre>
 *  vm1 10.1.1.10 -- hv1 [VTEP 10.255.0.11, L2VNI 1001] --+              +-- hv2 [VTEP 10.255.0.12, L2VNI 1002] -- vm2 10.1.2.10
 *                     172.16.1.2/30                      +--- leaf -----+     172.16.2.2/30
 *                                                              |  (RR, AS 65000)
 *                                         softgate [VTEP 10.255.0.1] 172.16.3.2/30
 * </pre>
 *
 * <p>Threading: confined to the test thread; {@link #close()} stops every daemon it started and
 * deletes every namespace it made.
 */
public final class EvpnFabricTopology implements AutoCloseable {
    public static final long ASN = 65000;
    public static final int L3VNI = 5001;
    public static final int PUBLIC_L3VNI = 5000;
    public static final String SOFTGATE_VTEP = "10.255.0.1";
    public static final String SOFTGATE_LINK = "172.16.3.2";
    public static final String LEAF_SOFTGATE_LINK = "172.16.3.1";
    public static final String HV1_VTEP = "10.255.0.11";
    public static final String HV2_VTEP = "10.255.0.12";
    public static final String SOFTGATE_ROUTER_MAC = "02:5f:00:00:00:01";
    public static final String HV1_ROUTER_MAC = "02:5f:00:00:0b:01";
    public static final String HV2_ROUTER_MAC = "02:5f:00:00:0b:02";
    public static final String VM1_ADDRESS = "10.1.1.10";
    public static final String VM2_ADDRESS = "10.1.2.10";
    public static final String SOFTGATE_UPLINK = "uplink";
    public static final int VM_MTU = 1400;

    private final List<NetworkNamespace> namespaces = new ArrayList<>();
    private final List<FrrInstance> frr = new ArrayList<>();
    private final Path logs;
    private final NetworkNamespace leaf;
    private final NetworkNamespace hypervisor1;
    private final NetworkNamespace hypervisor2;
    private final NetworkNamespace vm1;
    private final NetworkNamespace vm2;
    private final NetworkNamespace softgate;
    private FrrInstance leafFrr;
    private FrrInstance hypervisor1Frr;
    private FrrInstance hypervisor2Frr;

    private EvpnFabricTopology(String testName, Path logs) {
        this.logs = logs;
        NetworkNamespace.deleteStaleNamespaces();
        leaf = track(NetworkNamespace.create(testName, "leaf"));
        hypervisor1 = track(NetworkNamespace.create(testName, "hv1"));
        hypervisor2 = track(NetworkNamespace.create(testName, "hv2"));
        vm1 = track(NetworkNamespace.create(testName, "vm1"));
        vm2 = track(NetworkNamespace.create(testName, "vm2"));
        softgate = track(NetworkNamespace.create(testName, "sg"));
    }

    /** Builds the lab and starts FRR on the leaf and both hypervisors; on failure, tears down what exists. */
    public static EvpnFabricTopology build(String testName, Path logs) throws InterruptedException {
        EvpnFabricTopology topology = new EvpnFabricTopology(testName, logs);
        try {
            topology.wireUnderlay();
            topology.wireHypervisor(topology.hypervisor1, HV1_VTEP, HV1_ROUTER_MAC, 1001, topology.vm1, "10.1.1");
            topology.wireHypervisor(topology.hypervisor2, HV2_VTEP, HV2_ROUTER_MAC, 1002, topology.vm2, "10.1.2");
            topology.leafFrr = topology.startFrr("leaf", topology.leaf, "", topology.leafBgpConf());
            topology.hypervisor1Frr = topology.startFrr("hv1", topology.hypervisor1, "vni " + L3VNI + "\n",
                hypervisorBgpConf("hv1", HV1_VTEP, "172.16.1.1"));
            topology.hypervisor2Frr = topology.startFrr("hv2", topology.hypervisor2, "vni " + L3VNI + "\n",
                hypervisorBgpConf("hv2", HV2_VTEP, "172.16.2.1"));
            return topology;
        } catch (RuntimeException | InterruptedException e) {
            topology.close();
            throw e;
        }
    }

    private NetworkNamespace track(NetworkNamespace namespace) {
        namespaces.add(namespace);
        return namespace;
    }

    private FrrInstance startFrr(String role, NetworkNamespace namespace, String zebraExtra, String bgpdConf)
        throws InterruptedException {
        FrrInstance instance = FrrInstance.start(role, namespace, "hostname " + role + "\n" + zebraExtra, bgpdConf, logs);
        frr.add(instance);
        return instance;
    }

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

    /** LAB.md's symmetric-IRB hypervisor: the VM on the L2VNI bridge, the L3VNI bridge with our router MAC. */
    private void wireHypervisor(NetworkNamespace hv, String vtep, String routerMac, int l2Vni, NetworkNamespace vm,
                                String vmNetwork) {
        hv.enableForwarding();
        String l2Bridge = "br" + l2Vni;
        String l2Vxlan = "vxlan" + l2Vni;
        hv.execOk("ip", "link", "add", l2Bridge, "type", "bridge");
        hv.execOk("ip", "link", "set", l2Bridge, "address", "02:5f:00:00:aa:" + (l2Vni % 100 < 10 ? "0" : "") + l2Vni % 100);
        hv.execOk("ip", "link", "add", l2Vxlan, "type", "vxlan", "id", Integer.toString(l2Vni), "local", vtep,
            "dstport", "4789", "nolearning");
        hv.execOk("ip", "link", "set", l2Vxlan, "master", l2Bridge);
        hv.execOk("bridge", "link", "set", "dev", l2Vxlan, "learning", "off", "neigh_suppress", "on");
        hv.addAddress(l2Bridge, vmNetwork + ".1/24");

        String l3Bridge = "br" + L3VNI;
        String l3Vxlan = "vxlan" + L3VNI;
        hv.execOk("ip", "link", "add", l3Bridge, "type", "bridge");
        hv.execOk("ip", "link", "set", l3Bridge, "address", routerMac);
        hv.execOk("ip", "link", "add", l3Vxlan, "type", "vxlan", "id", Integer.toString(L3VNI), "local", vtep,
            "dstport", "4789", "nolearning");
        hv.execOk("ip", "link", "set", l3Vxlan, "master", l3Bridge);
        hv.execOk("bridge", "link", "set", "dev", l3Vxlan, "learning", "off");

        hv.addVethPair("vm", vm, "eth0");
        hv.execOk("ip", "link", "set", "vm", "master", l2Bridge);
        hv.setMtu("vm", VM_MTU);
        vm.setMtu("eth0", VM_MTU);
        // As in FoundationTopology: the VM's stack fills in its own checksums (a veth would not).
        vm.execOk("ethtool", "-K", "eth0", "tx", "off");
        vm.addAddress("eth0", vmNetwork + ".10/24");
        vm.addRoute("default", "via", vmNetwork + ".1");
        for (String device : List.of(l2Vxlan, l2Bridge, l3Vxlan, l3Bridge)) {
            hv.execOk("ip", "link", "set", device, "up");
            hv.sysctl("net.ipv4.conf." + device + ".rp_filter", "0");
        }
        hv.disableBridgeNetfilter();
    }

    private String leafBgpConf() {
        StringBuilder conf = new StringBuilder("""
            hostname leaf
            route-map TO-HV deny 10
             match evpn route-type macip
            route-map TO-HV permit 20
            router bgp %d
             bgp router-id 10.255.0.254
             no bgp default ipv4-unicast
             bgp route-reflector allow-outbound-policy
            """.formatted(ASN));
        List<String> peers = List.of("172.16.1.2", "172.16.2.2", SOFTGATE_LINK);
        for (String peer : peers) {
            conf.append(" neighbor ").append(peer).append(" remote-as ").append(ASN).append('\n');
            conf.append(" neighbor ").append(peer).append(" timers 3 9\n");
            conf.append(" neighbor ").append(peer).append(" timers connect 1\n");
        }
        conf.append(" address-family l2vpn evpn\n");
        for (String peer : peers) {
            conf.append("  neighbor ").append(peer).append(" activate\n");
            conf.append("  neighbor ").append(peer).append(" route-reflector-client\n");
        }
        conf.append("  neighbor 172.16.1.2 route-map TO-HV out\n");
        conf.append("  neighbor 172.16.2.2 route-map TO-HV out\n");
        conf.append(" exit-address-family\n");
        return conf.toString();
    }

    private static String hypervisorBgpConf(String name, String vtep, String leafAddress) {
        return """
            hostname %s
            router bgp %d
             bgp router-id %s
             no bgp default ipv4-unicast
             neighbor %s remote-as %d
             neighbor %s timers 3 9
             neighbor %s timers connect 1
             address-family l2vpn evpn
              neighbor %s activate
              advertise-all-vni
              advertise ipv4 unicast
             exit-address-family
            """.formatted(name, ASN, vtep, leafAddress, ASN, leafAddress, leafAddress, leafAddress);
    }

    /**
     * The softgate's configuration: the public VRF (L3VNI 5000) with two public addresses and the
     * tenant VRF (L3VNI 5001, a default route advertised into it), no static routes, BGP to the leaf.
     */
    public Path writeSoftgateConfig(Path directory, List<String> publicAddresses) throws IOException {
        Files.createDirectories(directory);
        Path config = directory.resolve("softgate.json");
        String addresses = String.join(", ", publicAddresses.stream().map(a -> "\"" + a + "\"").toList());
        String json = """
            {
              "node": {"name": "sg-evpn", "routerMac": "%s", "vtepAddress": "%s", "publicVrf": "public"},
              "dataplane": {"workers": 1, "batchSize": 64, "framesPerWorker": 4096, "idleStrategy": "backoff",
                            "statsIntervalSeconds": 5},
              "io": {"backend": "udp", "udp": {"bindAddress": "%s", "port": 4789}},
              "forwarding": {"vrfs": [{"name": "public", "l3vni": %d}, {"name": "tenant", "l3vni": %d}]},
              "bgp": {"enabled": true, "asn": %d, "routerId": "%s", "listenAddress": "%s",
                      "neighbors": [{"address": "%s", "remoteAsn": %d, "localAddress": "%s", "holdTimeSeconds": 9}],
                      "vrfs": [{"name": "tenant", "advertiseDefaultRoute": true}],
                      "publicAddresses": [%s],
                      "underlayPrefixes": ["10.255.0.0/24", "172.16.0.0/16"]},
              "stateDir": "state"
            }
            """.formatted(SOFTGATE_ROUTER_MAC, SOFTGATE_VTEP, SOFTGATE_VTEP, PUBLIC_L3VNI, L3VNI, ASN, SOFTGATE_VTEP,
            SOFTGATE_LINK, LEAF_SOFTGATE_LINK, ASN, SOFTGATE_LINK, addresses);
        Files.writeString(config, json);
        return config;
    }

    public FrrInstance leafFrr() {
        return leafFrr;
    }

    public FrrInstance hypervisor1Frr() {
        return hypervisor1Frr;
    }

    public FrrInstance hypervisor2Frr() {
        return hypervisor2Frr;
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

    /** The FRR daemons' logs, for failure messages. */
    public String frrLogs() {
        StringBuilder text = new StringBuilder();
        for (FrrInstance instance : frr) {
            text.append(instance.logTail()).append('\n');
        }
        return text.toString();
    }

    /** Stops every FRR daemon (bgpd before zebra), then deletes every namespace. Idempotent. */
    @Override
    public void close() {
        for (int i = frr.size() - 1; i >= 0; i--) {
            frr.get(i).close();
        }
        frr.clear();
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            namespaces.get(i).close();
        }
    }
}
