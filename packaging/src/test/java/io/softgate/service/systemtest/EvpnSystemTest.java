package io.softgate.service.systemtest;

import static io.softgate.service.systemtest.EvpnFabricTopology.HV1_ROUTER_MAC;
import static io.softgate.service.systemtest.EvpnFabricTopology.HV1_VTEP;
import static io.softgate.service.systemtest.EvpnFabricTopology.HV2_ROUTER_MAC;
import static io.softgate.service.systemtest.EvpnFabricTopology.HV2_VTEP;
import static io.softgate.service.systemtest.EvpnFabricTopology.L3VNI;
import static io.softgate.service.systemtest.EvpnFabricTopology.SOFTGATE_LINK;
import static io.softgate.service.systemtest.EvpnFabricTopology.SOFTGATE_ROUTER_MAC;
import static io.softgate.service.systemtest.EvpnFabricTopology.SOFTGATE_VTEP;
import static io.softgate.service.systemtest.EvpnFabricTopology.VM1_ADDRESS;
import static io.softgate.service.systemtest.EvpnFabricTopology.VM2_ADDRESS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Issue 3, "Done when" 1: the softgate, run from the built distribution, peers with a real FRR
 * leaf (route reflector) that also serves two FRR symmetric-IRB hypervisors. It shows that the
 * sessions come up; that the leaf holds the softgate's type-5 routes with route target, ET:8 and
 * Router's MAC; that the hypervisors install them via the softgate's VTEP; that the softgate learns
 * vm1 and vm2 from type-2 routes and routes vm1 <-> vm2 traffic through itself without any static
 * route or VTEP; that a withdrawn advertisement leaves the leaf within 1 s; and that killing and
 * restarting the leaf's bgpd brings the session and the routes back.
 */
@Tag("system")
class EvpnSystemTest {
    private static final String PUBLIC_KEPT = "198.51.100.7";
    private static final String PUBLIC_WITHDRAWN = "198.51.100.8";
    private static final int TRANSFER_BYTES = 1024 * 1024;
    private static final int TCP_PORT = 5201;
    private static final Duration CONVERGENCE = Duration.ofSeconds(60);

    private EvpnFabricTopology topology;
    private ManagedProcess softgate;
    private ManagedProcess tcpdump;
    private ManagedProcess receiver;

    @AfterEach
    void cleanUp() {
        for (ManagedProcess process : new ManagedProcess[] {receiver, softgate, tcpdump}) {
            if (process != null) {
                process.close();
            }
        }
        if (topology != null) {
            topology.close();
        }
    }

    @Test
    void shouldPeerWithFrrLearnVmsAdvertiseType5AndRouteThroughTheSoftgate(TestInfo test) throws Exception {
        SystemTestSupport.assumeRootAndTools("ip", "bridge", "ethtool", "ping", "tcpdump", "nc", "ss", "vtysh");
        assumeTrue(FrrInstance.available(), "FRR is not installed (.ci/run installs it)");
        long startNs = System.nanoTime();
        Path output = SystemTestSupport.outputDirectory(test);
        SoftgateDistribution distribution = SoftgateDistribution.built();
        topology = EvpnFabricTopology.build(test.getDisplayName(), output.resolve("frr"));
        FrrInstance leaf = topology.leafFrr();

        Path pcap = output.resolve("softgate-uplink.pcap");
        tcpdump = SystemTestSupport.captureVxlan(topology.softgate(), EvpnFabricTopology.SOFTGATE_UPLINK, pcap,
            output.resolve("tcpdump.log"));
        Path config = topology.writeSoftgateConfig(output.resolve("etc"), List.of(PUBLIC_KEPT, PUBLIC_WITHDRAWN));
        assertTrue(!Files.readString(config).contains("nextHopVtep"), "the softgate must need no static route or VTEP");
        softgate = distribution.start(topology.softgate(), config, output.resolve("softgate.log"));
        softgate.awaitOutput(SoftgateDistribution.RUNNING_MARKER, SoftgateDistribution.START_TIMEOUT);

        // 1. Sessions Established, seen from the leaf.
        await("every session Established on the leaf", () -> {
            Map<String, String> states = leafPeerStates(leaf);
            return states.size() == 3 && states.values().stream().allMatch("Established"::equals);
        }, CONVERGENCE);

        // 2. The leaf holds our type-5 routes with RT, ET:8 and Rmac, next hop our VTEP.
        await("the softgate's type-5 routes on the leaf", () -> softgateType5(leaf).keySet()
            .containsAll(List.of("0.0.0.0/0", PUBLIC_KEPT + "/32", PUBLIC_WITHDRAWN + "/32")), CONVERGENCE);
        Map<String, String> routes = softgateType5(leaf);
        assertType5(routes.get(PUBLIC_KEPT + "/32"), "RT:65000:" + EvpnFabricTopology.PUBLIC_L3VNI);
        assertType5(routes.get(PUBLIC_WITHDRAWN + "/32"), "RT:65000:" + EvpnFabricTopology.PUBLIC_L3VNI);
        assertType5(routes.get("0.0.0.0/0"), "RT:65000:" + L3VNI);

        // 3. The hypervisors install the default route via our VTEP and our router MAC.
        for (NetworkNamespace hv : List.of(topology.hypervisor1(), topology.hypervisor2())) {
            await(hv + " routes via the softgate's VTEP", () -> hv.execOk("ip", "route", "show", "default")
                .contains("via " + SOFTGATE_VTEP + " dev br" + L3VNI), CONVERGENCE);
            String neighbour = hv.execOk("ip", "neigh", "show", SOFTGATE_VTEP, "dev", "br" + L3VNI);
            assertTrue(neighbour.contains("lladdr " + SOFTGATE_ROUTER_MAC), hv + ": neighbour " + neighbour);
        }

        // 4. The VMs talk to their gateway (ARP), the hypervisors advertise type-2, the softgate learns both.
        assertTrue(SystemTestSupport.ping(topology.vm1(), "10.1.1.1", 3).ok(), "vm1 -> its gateway");
        assertTrue(SystemTestSupport.ping(topology.vm2(), "10.1.2.1", 3).ok(), "vm2 -> its gateway");
        String vm1Route = "tenant " + VM1_ADDRESS + "/32 via " + HV1_VTEP + " rmac " + HV1_ROUTER_MAC;
        String vm2Route = "tenant " + VM2_ADDRESS + "/32 via " + HV2_VTEP + " rmac " + HV2_ROUTER_MAC;
        await("the softgate learns vm1 and vm2 from type-2 routes", () -> lastPublish(softgate).contains(vm1Route)
            && lastPublish(softgate).contains(vm2Route), CONVERGENCE);

        // 5. vm1 <-> vm2 through the softgate: ping and a TCP transfer, with the capture as witness.
        Commands.Result ping = SystemTestSupport.ping(topology.vm1(), VM2_ADDRESS, 5);
        assertTrue(ping.ok(), "vm1 cannot ping vm2 through the softgate:\n" + ping.output() + "\n" + softgate.output());
        transfer(output);
        tcpdump.stop();
        List<VxlanCapture.VxlanPacket> packets = VxlanCapture.read(pcap);
        assertSeen(packets, new VxlanCapture.VxlanPacket(HV1_VTEP, SOFTGATE_VTEP, L3VNI, 0x08, HV1_ROUTER_MAC,
            SOFTGATE_ROUTER_MAC, VM1_ADDRESS, VM2_ADDRESS), "hv1 -> softgate");
        assertSeen(packets, new VxlanCapture.VxlanPacket(SOFTGATE_VTEP, HV2_VTEP, L3VNI, 0x08, SOFTGATE_ROUTER_MAC,
            HV2_ROUTER_MAC, VM1_ADDRESS, VM2_ADDRESS), "softgate -> hv2");
        assertSeen(packets, new VxlanCapture.VxlanPacket(SOFTGATE_VTEP, HV1_VTEP, L3VNI, 0x08, SOFTGATE_ROUTER_MAC,
            HV1_ROUTER_MAC, VM2_ADDRESS, VM1_ADDRESS), "softgate -> hv1 (replies)");

        // 6. A withdrawn advertisement is gone from the leaf within 1 s (SIGHUP re-reads bgp.publicAddresses).
        topology.writeSoftgateConfig(output.resolve("etc"), List.of(PUBLIC_KEPT));
        long withdrawNs = System.nanoTime();
        Commands.runOk("kill", "-HUP", Long.toString(softgate.pid()));
        await("the withdrawn route leaves the leaf", () -> !softgateType5(leaf).containsKey(PUBLIC_WITHDRAWN + "/32"),
            Duration.ofSeconds(5));
        long withdrawMs = (System.nanoTime() - withdrawNs) / 1_000_000;
        System.out.println("withdrawal reached the leaf after " + withdrawMs + " ms");
        assertTrue(withdrawMs <= 1000, "withdrawal took " + withdrawMs + " ms (limit 1000 ms)");
        assertTrue(softgateType5(leaf).containsKey(PUBLIC_KEPT + "/32"), "the other public address stays");

        // 7. Kill the leaf's bgpd and start it again: the session and the routes come back.
        leaf.killBgpd();
        leaf.startBgpd();
        await("sessions re-established after the leaf's bgpd restarted", () -> {
            Map<String, String> states = leafPeerStates(leaf);
            return "Established".equals(states.get(SOFTGATE_LINK)) && states.size() == 3
                && states.values().stream().allMatch("Established"::equals);
        }, CONVERGENCE);
        await("the softgate's routes back on the leaf", () -> softgateType5(leaf).keySet()
            .containsAll(List.of("0.0.0.0/0", PUBLIC_KEPT + "/32")), CONVERGENCE);
        assertTrue(!softgateType5(leaf).containsKey(PUBLIC_WITHDRAWN + "/32"), "the withdrawn route stays withdrawn");
        await("vm1 reaches vm2 again", () -> SystemTestSupport.ping(topology.vm1(), VM2_ADDRESS, 1).ok(), CONVERGENCE);

        assertEquals(0, softgate.stop(), "softgate must exit 0 on SIGTERM:\n" + softgate.output());
        assertTrue(!softgate.output().contains("Exception"), "the softgate logged an exception:\n" + softgate.output());
        System.out.println("EvpnSystemTest ran in " + (System.nanoTime() - startNs) / 1_000_000 + " ms");
    }

    private void transfer(Path output) throws Exception {
        byte[] sent = new byte[TRANSFER_BYTES];
        new Random(20261126L).nextBytes(sent);
        Path source = output.resolve("sent.bin");
        Path received = output.resolve("received.bin");
        Files.write(source, sent);
        receiver = ManagedProcess.start("nc-receiver", topology.vm2(),
            List.of("sh", "-c", "exec nc -l " + TCP_PORT + " > " + received), output.resolve("nc-receiver.log"));
        await("nc listening in vm2", () -> topology.vm2().execOk("ss", "-Hltn").contains(":" + TCP_PORT + " "),
            Duration.ofSeconds(10));
        Commands.Result send = topology.vm1().exec(Duration.ofSeconds(60), "sh", "-c",
            "nc -N -w 30 " + VM2_ADDRESS + " " + TCP_PORT + " < " + source);
        assertEquals(0, send.exitCode(), "sending 1 MiB failed: " + send.output());
        assertEquals(0, receiver.awaitExit(Duration.ofSeconds(60)), receiver.output());
        byte[] got = Files.readAllBytes(received);
        assertEquals(TRANSFER_BYTES, got.length, "bytes received by vm2");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        assertArrayEquals(sha.digest(sent), MessageDigest.getInstance("SHA-256").digest(got), "vm2 got other bytes");
    }

    private static void assertType5(String routeJson, String routeTarget) {
        assertTrue(routeJson.contains(routeTarget), "no " + routeTarget + " in " + routeJson);
        assertTrue(routeJson.contains("ET:8"), "no ET:8 in " + routeJson);
        assertTrue(routeJson.contains("Rmac:" + SOFTGATE_ROUTER_MAC), "no Rmac:" + SOFTGATE_ROUTER_MAC + " in " + routeJson);
        assertTrue(routeJson.contains("\"" + SOFTGATE_VTEP + "\""), "next hop is not our VTEP: " + routeJson);
    }

    private static void assertSeen(List<VxlanCapture.VxlanPacket> packets, VxlanCapture.VxlanPacket expected, String what) {
        assertTrue(packets.contains(expected), what + ": no packet " + expected + " among " + packets.size()
            + " captured, e.g. " + packets.subList(0, Math.min(6, packets.size())));
    }

    /** The leaf's l2vpn evpn peers and their states. */
    private static Map<String, String> leafPeerStates(FrrInstance leaf) {
        return leaf.evpnPeerStates();
    }

    /** The type-5 routes the leaf holds under the softgate's route distinguishers: prefix -> the route's JSON. */
    private static Map<String, String> softgateType5(FrrInstance leaf) {
        return leaf.type5Routes(SOFTGATE_VTEP);
    }

    private static String lastPublish(ManagedProcess softgate) {
        String log = softgate.output();
        int at = log.lastIndexOf("published forwarding tables");
        return at < 0 ? "" : log.substring(at, Math.max(at, log.indexOf('\n', at)));
    }

    private void await(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what + "\nsoftgate log:\n"
                    + (softgate == null ? "-" : softgate.output()) + "\nFRR:\n" + topology.frrLogs());
            }
            Thread.sleep(50);
        }
    }
}
