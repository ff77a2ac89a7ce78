package io.softgate.service.systemtest;

import static io.softgate.service.systemtest.FoundationTopology.HV1_ROUTER_MAC;
import static io.softgate.service.systemtest.FoundationTopology.HV1_VTEP;
import static io.softgate.service.systemtest.FoundationTopology.HV2_ROUTER_MAC;
import static io.softgate.service.systemtest.FoundationTopology.HV2_VTEP;
import static io.softgate.service.systemtest.FoundationTopology.L3VNI;
import static io.softgate.service.systemtest.FoundationTopology.SOFTGATE_ROUTER_MAC;
import static io.softgate.service.systemtest.FoundationTopology.SOFTGATE_VTEP;
import static io.softgate.service.systemtest.FoundationTopology.VM1_SUBNET;
import static io.softgate.service.systemtest.FoundationTopology.VM2_SUBNET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.service.ExitCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Issue 8, "Done when" 2 (TUN uplink): the foundation lab plus an "internet" namespace reached
 * through a plain IP uplink instead of VXLAN. The softgate (started from the distribution, UDP
 * backend on the fabric) has a TUN device {@code up0} as port 1; its VRF is the public VRF, with
 * a route to the internet prefix out of the TUN port. The softgate namespace's kernel forwards
 * between {@code up0} and the internet's veth. vm1 pings the internet host and sends it 10 MB over
 * TCP: VM -> VXLAN -> softgate -> bare IP on the TUN -> kernel -> internet, and replies back from
 * the TUN (routed in the public VRF) into VXLAN toward hv1.
 */
@Tag("system")
class TunUplinkFoundationSystemTest {
    private static final String TUN_DEVICE = "up0";
    private static final String INTERNET_PREFIX = "198.51.100.0/24";
    private static final String INTERNET_HOST = "198.51.100.10";
    private static final String SOFTGATE_INTERNET_SIDE = "198.51.100.1";
    private static final int TRANSFER_BYTES = 10 * 1024 * 1024;
    private static final int TCP_PORT = 5202;

    private FoundationTopology topology;
    private NetworkNamespace internet;
    private ManagedProcess softgate;
    private ManagedProcess receiver;

    @AfterEach
    void cleanUp() {
        for (ManagedProcess process : new ManagedProcess[] {receiver, softgate}) {
            if (process != null) {
                process.close();
            }
        }
        if (internet != null) {
            internet.close();
        }
        if (topology != null) {
            topology.close();
        }
    }

    @Test
    void shouldRouteVmTrafficToTheInternetThroughTheTunUplinkAndBack(TestInfo test) throws Exception {
        SystemTestSupport.assumeRootAndTools("ip", "bridge", "ethtool", "ping", "nc", "ss");
        Path output = SystemTestSupport.outputDirectory(test);
        SoftgateDistribution distribution = SoftgateDistribution.built();

        topology = FoundationTopology.build(test.getDisplayName());
        internet = NetworkNamespace.create(test.getDisplayName(), "inet");
        NetworkNamespace sg = topology.softgate();
        // The hypervisors route the internet prefix to the softgate, as its EVPN type-5 route would.
        for (NetworkNamespace hv : new NetworkNamespace[] {topology.hypervisor1(), topology.hypervisor2()}) {
            hv.addRoute(INTERNET_PREFIX, "via", SOFTGATE_VTEP, "dev", "br" + L3VNI, "onlink");
        }
        // The softgate host: a persistent multi-queue TUN the workers attach to, the kernel routing
        // the VM subnets into it and forwarding to the internet's link.
        sg.execOk("ip", "tuntap", "add", "dev", TUN_DEVICE, "mode", "tun", "multi_queue");
        sg.execOk("ip", "link", "set", TUN_DEVICE, "up");
        sg.enableForwarding();
        sg.sysctl("net.ipv4.conf." + TUN_DEVICE + ".rp_filter", "0");
        sg.addRoute(VM1_SUBNET, "dev", TUN_DEVICE);
        sg.addRoute(VM2_SUBNET, "dev", TUN_DEVICE);
        sg.addVethPair("inet", internet, "eth0");
        sg.addAddress("inet", SOFTGATE_INTERNET_SIDE + "/24");
        internet.addAddress("eth0", INTERNET_HOST + "/24");
        internet.addRoute("10.1.0.0/16", "via", SOFTGATE_INTERNET_SIDE);

        Path config = writeConfig(output.resolve("etc"));
        softgate = distribution.start(sg, config, output.resolve("softgate.log"));
        softgate.awaitOutput(SoftgateDistribution.RUNNING_MARKER, SoftgateDistribution.START_TIMEOUT);
        assertTrue(softgate.output().contains("port 1 tun"), "no TUN port:\n" + softgate.output());

        Commands.Result ping = SystemTestSupport.ping(topology.vm1(), INTERNET_HOST, 5);
        assertTrue(ping.ok(), "vm1 cannot ping the internet host through the TUN uplink:\n" + ping.output()
            + "\nsoftgate log:\n" + softgate.output());
        Commands.Result pingFromVm2 = SystemTestSupport.ping(topology.vm2(), INTERNET_HOST, 5);
        assertTrue(pingFromVm2.ok(), "vm2 cannot ping the internet host:\n" + pingFromVm2.output());

        byte[] sent = new byte[TRANSFER_BYTES];
        new Random(20261127L).nextBytes(sent);
        Path source = output.resolve("sent.bin");
        Path received = output.resolve("received.bin");
        Files.write(source, sent);
        receiver = ManagedProcess.start("nc-receiver", internet,
            List.of("sh", "-c", "exec nc -l " + TCP_PORT + " > " + received), output.resolve("nc-receiver.log"));
        FoundationTraffic.awaitListening(internet, TCP_PORT);
        Commands.Result send = topology.vm1().exec(Duration.ofSeconds(120), "sh", "-c",
            "nc -N -w 30 " + INTERNET_HOST + " " + TCP_PORT + " < " + source);
        assertEquals(0, send.exitCode(), "sending 10 MB failed: " + send.output() + "\nsoftgate log:\n" + softgate.output());
        assertEquals(0, receiver.awaitExit(Duration.ofSeconds(60)), receiver.output());
        byte[] got = Files.readAllBytes(received);
        assertEquals(TRANSFER_BYTES, got.length, "bytes received by the internet host");
        assertArrayEquals(sha256(sent), sha256(got), "the internet host received other bytes than vm1 sent");

        assertEquals(ExitCodes.OK, softgate.stop(), "softgate must exit 0 on SIGTERM:\n" + softgate.output());
        assertTrue(softgate.output().contains("stopped; counters"), softgate.output());
    }

    /** The foundation configuration with the tenant VRF as the public VRF and the internet out of the TUN. */
    private static Path writeConfig(Path directory) throws Exception {
        Files.createDirectories(directory);
        Path config = directory.resolve("softgate.json");
        Files.writeString(config, """
            {
              "node": {"name": "sg-tun", "routerMac": "%s", "vtepAddress": "%s", "publicVrf": "tenant"},
              "dataplane": {"workers": 1, "statsIntervalSeconds": 2},
              "io": {"backend": "udp", "udp": {"bindAddress": "%s", "port": 4789}, "tun": {"interfaceName": "%s"}},
              "forwarding": {"vrfs": [{"name": "tenant", "l3vni": %d, "routes": [
                {"prefix": "%s", "nextHopVtep": "%s", "nextHopRouterMac": "%s"},
                {"prefix": "%s", "nextHopVtep": "%s", "nextHopRouterMac": "%s"},
                {"prefix": "%s", "nextHopPort": "tun"}]}]},
              "stateDir": "state"
            }
            """.formatted(SOFTGATE_ROUTER_MAC, SOFTGATE_VTEP, SOFTGATE_VTEP, TUN_DEVICE, L3VNI, VM1_SUBNET, HV1_VTEP,
            HV1_ROUTER_MAC, VM2_SUBNET, HV2_VTEP, HV2_ROUTER_MAC, INTERNET_PREFIX));
        return config;
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}
