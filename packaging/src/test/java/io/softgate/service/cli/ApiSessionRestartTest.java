package io.softgate.service.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.io.PacketIo;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.NanoClock;
import io.softgate.core.pipeline.PacketBatch;
import io.softgate.core.pipeline.StageVector;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.service.ExitCodes;
import io.softgate.service.config.ConfigLoader;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.intent.AllocationIntent;
import io.softgate.service.intent.IntentCompiler;
import io.softgate.service.intent.IntentDocument;
import io.softgate.service.intent.IntentPersistence;
import io.softgate.service.intent.IntentStore;
import io.softgate.service.intent.L4lbIntent;
import io.softgate.service.intent.LbBackendIntent;
import io.softgate.service.intent.NatIntent;
import io.softgate.service.intent.SubnetIntent;
import io.softgate.service.intent.VnetIntent;
import io.softgate.service.intent.VpcIntent;
import io.softgate.service.state.SessionPersistence;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 on an API-managed node (the file has no {@code nat} or {@code loadBalancer} section; the
 * controller gave the SNAT rule and the LB service): a NAT session or LB connection created before a
 * restart is restored by the next process, because its first snapshot already holds the persisted
 * applied intent; the reply to the old NAT mapping is still translated.
 */
class ApiSessionRestartTest {
    private static final int VPC_VNI = 5001;
    private static final int PUBLIC_VNI = 9000;
    // api.warmUp off: this test starts the service three times and is not about the API's first apply.
    private static final String CONFIG = """
        {"node": {"name": "sg1", "routerMac": "02:5f:00:00:00:01", "vtepAddress": "10.255.0.1", "publicVrf": "public"},
         "forwarding": {"vrfs": [{"name": "public", "l3vni": 9000, "routes": [
           {"prefix": "0.0.0.0/0", "nextHopVtep": "10.255.0.21", "nextHopRouterMac": "02:5f:00:00:0b:21"}]}]},
         "dataplane": {"workers": 1, "batchSize": 32, "framesPerWorker": 256},
         "api": {"listenAddress": "127.0.0.1", "port": %d, "tokensFile": "tokens", "warmUp": false},
         "stateDir": "../state"}
        """;
    private static final byte[] ROUTER_MAC = {0x02, 0x5f, 0, 0, 0, 0x01};
    private static final byte[] PEER_MAC = {0x02, 0x5f, 0, 0, 0x0b, 0x01};
    private static final int VM = address(10, 1, 1, 10);
    private static final int SERVER = address(198, 51, 100, 7);
    private static final int PUBLIC_ADDRESS = address(203, 0, 113, 10);
    private static final int VIP = address(203, 0, 113, 13);
    private static final int HYPERVISOR = address(10, 255, 0, 11);
    private static final int LEAF = address(10, 255, 0, 21);
    private static final int SOFTGATE = address(10, 255, 0, 1);
    /** Outer Ethernet, IPv4, UDP, VXLAN, inner Ethernet: where the inner IPv4 header starts. */
    private static final int INNER_IP = 14 + 20 + 8 + 8 + 14;

    @TempDir
    Path directory;

    /** One port per worker: injected frames in, transmitted frames copied out. */
    private static final class QueuedPorts implements io.softgate.service.io.PacketIoFactory {
        final ConcurrentLinkedQueue<byte[]> received = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<byte[]> transmitted = new ConcurrentLinkedQueue<>();

        @Override
        public PacketIo[] openPorts(int workerId, FramePool pool) {
            return new PacketIo[] {new PacketIo() {
                @Override
                public String name() {
                    return "queued:" + workerId;
                }

                @Override
                public int receive(PacketBatch batch, int port, FramePool framePool) {
                    int added = 0;
                    byte[] packet;
                    while (batch.size() < batch.receiveCapacity() && (packet = received.poll()) != null) {
                        int frame = framePool.allocate();
                        if (frame < 0) {
                            break;
                        }
                        int offset = framePool.memory().packetStart(frame);
                        framePool.memory().buffer().putBytes(offset, packet);
                        batch.add(frame, offset, packet.length, port);
                        added++;
                    }
                    return added;
                }

                @Override
                public int transmit(PacketBatch batch, StageVector slots, FramePool framePool) {
                    for (int i = 0; i < slots.size(); i++) {
                        int slot = slots.slot(i);
                        byte[] copy = new byte[batch.length[slot]];
                        framePool.memory().buffer().getBytes(batch.offset[slot], copy);
                        transmitted.add(copy);
                        framePool.release(batch.frame[slot]);
                    }
                    return slots.size();
                }

                @Override
                public void close() {
                }
            }};
        }

        byte[] awaitTransmitted() throws InterruptedException {
            long deadlineNs = System.nanoTime() + 10_000_000_000L;
            byte[] frame;
            while ((frame = transmitted.poll()) == null && System.nanoTime() < deadlineNs) {
                Thread.sleep(2);
            }
            return frame;
        }
    }

    @Test
    void shouldRestoreASessionOfAnApiSnatRuleAndTranslateItsReplyAfterARestart() throws Exception {
        Path config = writeConfig();
        SoftgateConfig file = ConfigLoader.load(config).config();
        persistIntentWithSnat(file, directory.resolve("state/api"));

        int externalPort;
        QueuedPorts before = new QueuedPorts();
        ServiceProcess first = new ServiceProcess(ConfigLoader.load(config), before, NanoClock.SYSTEM);
        CompletableFuture<Integer> firstExit = CompletableFuture.supplyAsync(first::run);
        try {
            assertTrue(first.awaitRunning(30_000), "first process did not start");
            before.received.add(vxlanUdp(VPC_VNI, HYPERVISOR, VM, 40000, SERVER, 80));
            byte[] out = before.awaitTransmitted();
            assertNotNull(out, "the API's SNAT rule translates and routes the VM's packet: " + nonZero(first.counterTotals()));
            assertEquals(PUBLIC_ADDRESS, ByteBuffer.wrap(out).getInt(INNER_IP + 12), "source translated to the API's address");
            externalPort = ByteBuffer.wrap(out).getShort(INNER_IP + 20) & 0xFFFF;
        } finally {
            first.requestStop(); // a clean stop drains the journal into the session store
        }
        assertEquals(ExitCodes.OK, firstExit.get(30, TimeUnit.SECONDS));
        assertTrue(Files.exists(directory.resolve("state").resolve(SessionPersistence.FILE_NAME)),
            "an API-only node keeps a session store");

        QueuedPorts after = new QueuedPorts();
        ServiceProcess second = new ServiceProcess(ConfigLoader.load(config), after, NanoClock.SYSTEM);
        CompletableFuture<Integer> secondExit = CompletableFuture.supplyAsync(second::run);
        try {
            assertTrue(second.awaitRunning(30_000), "second process did not start");
            // The server's reply to the old mapping: only a restored session translates it.
            after.received.add(vxlanUdp(PUBLIC_VNI, LEAF, SERVER, 80, PUBLIC_ADDRESS, externalPort));
            awaitPastNat(second);
            Map<String, Long> counters = nonZero(second.counterTotals());
            assertEquals(0L, counters.getOrDefault("nat44-out2in.drop.no-mapping", 0L), counters.toString());
            assertEquals(1L, counters.getOrDefault("acl-ingress.unfiltered", 0L), "translated into the VPC: " + counters);
            // The VM's next packet keeps its old external port.
            after.transmitted.clear();
            after.received.add(vxlanUdp(VPC_VNI, HYPERVISOR, VM, 40000, SERVER, 80));
            byte[] again = after.awaitTransmitted();
            assertNotNull(again, nonZero(second.counterTotals()).toString());
            assertEquals(externalPort, ByteBuffer.wrap(again).getShort(INNER_IP + 20) & 0xFFFF);
        } finally {
            second.requestStop();
        }
        assertEquals(ExitCodes.OK, secondExit.get(30, TimeUnit.SECONDS));
    }

    @Test
    void shouldRestoreAConnectionOfAnApiLoadBalancerServiceAfterARestart() throws Exception {
        Path config = writeConfig();
        persistIntentWithSnat(ConfigLoader.load(config).config(), directory.resolve("state/api"));
        byte[] request = vxlanUdp(PUBLIC_VNI, LEAF, SERVER, 41000, VIP, 53);
        for (int run = 0; run < 2; run++) {
            QueuedPorts ports = new QueuedPorts();
            ServiceProcess process = new ServiceProcess(ConfigLoader.load(config), ports, NanoClock.SYSTEM);
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(process::run);
            try {
                assertTrue(process.awaitRunning(30_000), "process did not start");
                ports.received.add(request);
                awaitPastNat(process);
                Map<String, Long> counters = nonZero(process.counterTotals());
                assertEquals(1L, counters.getOrDefault("acl-ingress.unfiltered", 0L), "sent to a backend: " + counters);
                // Run 0 creates the connection; run 1 finds it restored from the LB connection store.
                assertEquals(run == 0 ? 1L : 0L, counters.getOrDefault("lb-vip.connections-created", 0L), counters.toString());
            } finally {
                process.requestStop(); // a clean stop writes every connection into the store
            }
            assertEquals(ExitCodes.OK, exit.get(30, TimeUnit.SECONDS));
        }
    }

    /** Waits until the reply left the NAT stage: out of the data plane (transmitted or dropped after NAT) or refused by it. */
    private static void awaitPastNat(ServiceProcess process) throws InterruptedException {
        long deadlineNs = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadlineNs) {
            long seen = 0;
            for (Map.Entry<String, Long> counter : process.counterTotals().entrySet()) {
                if (counter.getKey().startsWith("nat44-out2in.drop.") || counter.getKey().startsWith("acl-ingress.")
                    || counter.getKey().startsWith("vrf-route.") || counter.getKey().startsWith("vxlan-encap.")) {
                    seen += counter.getValue();
                }
            }
            if (seen > 0) {
                return;
            }
            Thread.sleep(2);
        }
    }

    private static Map<String, Long> nonZero(Map<String, Long> counters) {
        Map<String, Long> shown = new java.util.TreeMap<>();
        counters.forEach((name, value) -> {
            if (value != 0) {
                shown.put(name, value);
            }
        });
        return shown;
    }

    private Path writeConfig() throws Exception {
        Path etc = directory.resolve("etc");
        Files.createDirectories(etc);
        Files.writeString(etc.resolve("tokens"), "restart-test-token-0123456789abcdef0123456789\n");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path config = etc.resolve("softgate.json");
        Files.writeString(config, CONFIG.formatted(port));
        return config;
    }

    /**
     * What the controller would have applied: a VPC with a vNet, an SNAT rule to 203.0.113.10 and a
     * UDP load-balancer service on 203.0.113.13:53 with two backends.
     */
    private static void persistIntentWithSnat(SoftgateConfig file, Path intentDirectory) throws Exception {
        IntentStore store = IntentStore.open(new IntentCompiler(ConfigSnapshot::builder, IntentCompiler.defaultAdapters(file)),
            new IntentPersistence(intentDirectory), snapshot -> null, "sg1", "Admin");
        store.apply(null, draft -> {
            int system = draft.base().systemVpc().id();
            int publicRange = draft.newId();
            draft.allocations.add(new AllocationIntent(publicRange, "PUBLIC", "203.0.113.0/24", system));
            draft.subnets.add(new SubnetIntent(draft.newId(), "snat-ip", "203.0.113.10/32", SubnetIntent.NAT, system,
                publicRange));
            int vpc = draft.newId();
            draft.vpcs.add(new VpcIntent(vpc, "vpc1", IntentDocument.ADMIN_TENANT_ID, false));
            int allocation = draft.newId();
            draft.allocations.add(new AllocationIntent(allocation, "vpc1-alloc", "10.1.0.0/16", vpc));
            draft.subnets.add(new SubnetIntent(draft.newId(), "vpc1-tier", "10.1.1.0/24", SubnetIntent.COMMON, vpc,
                allocation));
            draft.vnets.add(new VnetIntent(draft.newId(), "vpc1-tier1", vpc, VPC_VNI, List.of("10.1.1.1/24")));
            draft.nats.add(new NatIntent(draft.newId(), "vpc1-snat", "SNAT", "ALL", "10.1.0.0/16", "1-65535", "0.0.0.0/0",
                null, "203.0.113.10/32", null, null, null, "enabled", vpc));
            draft.subnets.add(new SubnetIntent(draft.newId(), "vip", "203.0.113.13/32", SubnetIntent.LOAD_BALANCER, system,
                publicRange));
            draft.l4lbs.add(new L4lbIntent(draft.newId(), "vpc1-dns", "UDP", "203.0.113.13", 53, "enable",
                List.of(new LbBackendIntent("10.1.1.20", 5353), new LbBackendIntent("10.1.1.21", 5353)), "None", null, null,
                vpc));
            return null;
        });
    }

    /** Ethernet / IPv4 / UDP 4789 / VXLAN / Ethernet / IPv4 / UDP with 16 bytes of payload. */
    private static byte[] vxlanUdp(int vni, int outerSource, int source, int sourcePort, int destination,
                                   int destinationPort) {
        int innerIpLength = 20 + 8 + 16;
        int innerLength = 14 + innerIpLength;
        int outerIpLength = 20 + 8 + 8 + innerLength;
        ByteBuffer frame = ByteBuffer.allocate(14 + outerIpLength);
        frame.put(ROUTER_MAC).put(PEER_MAC).putShort((short) 0x0800);
        ipv4(frame, outerIpLength, outerSource, SOFTGATE);
        frame.putShort((short) 49152).putShort((short) 4789).putShort((short) (8 + 8 + innerLength)).putShort((short) 0);
        // RFC 7348 §5: flags with the I bit, 24 reserved bits, the VNI, 8 reserved bits.
        frame.put((byte) 0x08).put((byte) 0).put((byte) 0).put((byte) 0).putInt(vni << 8);
        frame.put(ROUTER_MAC).put(PEER_MAC).putShort((short) 0x0800);
        ipv4(frame, innerIpLength, source, destination);
        frame.putShort((short) sourcePort).putShort((short) destinationPort).putShort((short) (8 + 16)).putShort((short) 0);
        return frame.array();
    }

    private static void ipv4(ByteBuffer frame, int totalLength, int source, int destination) {
        int start = frame.position();
        frame.put((byte) 0x45).put((byte) 0).putShort((short) totalLength).putShort((short) 1).putShort((short) 0)
            .put((byte) 64).put((byte) 17).putShort((short) 0).putInt(source).putInt(destination);
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += ((frame.get(start + i) & 0xFF) << 8) | (frame.get(start + i + 1) & 0xFF);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        frame.putShort(start + 10, (short) ~sum);
    }

    private static int address(int a, int b, int c, int d) {
        return (a << 24) | (b << 16) | (c << 8) | d;
    }
}
