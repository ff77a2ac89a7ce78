package io.softgate.service.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.pipeline.NanoClock;
import io.softgate.evpn.bgp.capability.FourOctetAsCapability;
import io.softgate.evpn.bgp.capability.GracefulRestartCapability;
import io.softgate.evpn.bgp.capability.MultiprotocolCapability;
import io.softgate.evpn.bgp.message.BgpMessage;
import io.softgate.evpn.bgp.message.NotificationMessage;
import io.softgate.evpn.bgp.message.OpenMessage;
import io.softgate.evpn.bgp.nlri.AddressFamily;
import io.softgate.evpn.bgp.session.ScriptedPeer;
import io.softgate.service.ExitCodes;
import io.softgate.service.config.BgpConfig;
import io.softgate.service.config.BgpNeighborConfig;
import io.softgate.service.config.ConfigLoader;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.evpn.RestartMarker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service stop as SIGTERM does it ({@link ServiceProcess#requestStop}), seen by a leaf on a
 * plain socket: with {@code onStop: restart} (the default) the session closes without a
 * NOTIFICATION and the next start's OPEN sets the Restart State bit (RFC 4724 §3, §4.1); with
 * {@code onStop: shutdown} the leaf gets the Cease (a Hard Reset: both set N) and the next start
 * is no restart.
 */
class ServiceProcessPlannedRestartTest {
    private static final String NODE = "\"node\": {\"name\": \"sg\", \"routerMac\": \"02:00:00:00:00:01\", "
        + "\"vtepAddress\": \"10.0.0.1\"}, \"dataplane\": {\"framesPerWorker\": 256}, \"stateDir\": \"state\", "
        + "\"forwarding\": {\"vrfs\": [{\"name\": \"tenant\", \"l3vni\": 5001}]}";
    private static final String LEAF = "127.0.0.1";
    private static final String SOFTGATE = "127.0.0.13";
    /** The leaf's OPEN: graceful restart (N bit, restart time 120 s, evpn with F). */
    private static final OpenMessage LEAF_OPEN = new OpenMessage(4, 65000, 90, 0x0a000063L, List.of(
        new MultiprotocolCapability(AddressFamily.L2VPN_EVPN), new FourOctetAsCapability(65000),
        new GracefulRestartCapability(false, true, 120,
            List.of(new GracefulRestartCapability.Family(AddressFamily.L2VPN_EVPN, true)))));

    @TempDir
    Path directory;

    private ServiceProcess process(int port, String gracefulRestart) throws Exception {
        Path file = directory.resolve("softgate.json");
        Files.writeString(file, "{" + NODE + ", \"bgp\": {\"enabled\": true, \"asn\": 65000, \"routerId\": \"10.0.0.1\", "
            + "\"listenAddress\": \"10.0.0.1\", \"listenPort\": " + port + ", "
            + "\"neighbors\": [{\"address\": \"10.0.0.2\", \"remoteAsn\": 65000, \"passive\": true}], "
            + "\"gracefulRestart\": " + gracefulRestart + "}}");
        SoftgateConfig checked = ConfigLoader.load(file).config();
        // The file refuses loopback neighbours (a real leaf is never one); the test's leaf is a socket on
        // loopback, so the validated configuration gets loopback addresses after the check.
        BgpConfig bgp = checked.bgp();
        BgpConfig loopback = new BgpConfig(true, bgp.asn(), bgp.routerId(), SOFTGATE, bgp.listenPort(),
            List.of(new BgpNeighborConfig(LEAF, 65000L, null, null, true, null)), bgp.vrfs(), bgp.gracefulRestart(),
            bgp.publicAddresses(), bgp.underlayPrefixes(), bgp.advertiseDefaultRouteToApiVpcs());
        SoftgateConfig config = new SoftgateConfig(checked.node(), checked.dataplane(), checked.io(), checked.forwarding(),
            loopback, checked.stateDir(), checked.publicAddressRanges(), checked.nat(), checked.loadBalancer(), checked.acl(),
            checked.api());
        return new ServiceProcess(new ConfigLoader.LoadedConfig(config, file), new IdlePortFactory(), NanoClock.SYSTEM);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(SOFTGATE))) {
            return socket.getLocalPort();
        }
    }

    /**
     * Starts the service, connects as the leaf (a plain socket on the test's thread only), returns
     * the speaker's OPEN; the leaf socket stays open.
     */
    private record Run(ServiceProcess process, CompletableFuture<Integer> exit, ScriptedPeer leaf, OpenMessage open) {
    }

    private Run start(int port, String gracefulRestart) throws Exception {
        ServiceProcess process = process(port, gracefulRestart);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(process::run);
        assertTrue(process.awaitRunning(20_000), "service did not start");
        ScriptedPeer leaf = new ScriptedPeer(InetAddress.getByName(LEAF), InetAddress.getByName(SOFTGATE), port);
        leaf.setReadTimeoutMillis(5000); // the service may take longer than ScriptedPeer's 3 s to close
        OpenMessage open = (OpenMessage) leaf.handshake(LEAF_OPEN);
        return new Run(process, exit, leaf, open);
    }

    private static List<BgpMessage> stop(Run run) throws Exception {
        run.process().requestStop(); // what the SIGTERM handler calls
        List<BgpMessage> sent = run.leaf().readUntilClosed();
        run.leaf().close();
        assertEquals(ExitCodes.OK, run.exit().get(20, TimeUnit.SECONDS));
        return sent;
    }

    private RestartMarker.State marker() {
        return RestartMarker.read(directory.resolve("state")).state();
    }

    @Test
    void shouldStopWithoutNotificationAndSetRestartStateInTheNextOpen() throws Exception {
        int port = freePort();
        Run first = start(port, "{}");
        assertFalse(first.open().gracefulRestart().restartState(), "a first start is no restart");
        assertEquals(RestartMarker.State.RUNNING, marker());
        List<BgpMessage> sent = stop(first);
        assertTrue(sent.stream().noneMatch(NotificationMessage.class::isInstance),
            () -> "RFC 4724 §4: no NOTIFICATION on a planned restart: " + sent);
        assertEquals(RestartMarker.State.RESTART, marker());

        Run second = start(port, "{}");
        assertTrue(second.open().gracefulRestart().restartState(), "RFC 4724 §4.1: R bit after the restart");
        stop(second);
    }

    @Test
    void shouldSendHardResetWithOnStopShutdownAndNotSetRestartStateAfterwards() throws Exception {
        int port = freePort();
        Run first = start(port, "{\"onStop\": \"shutdown\"}");
        List<BgpMessage> sent = stop(first);
        List<BgpMessage> notifications = sent.stream().filter(NotificationMessage.class::isInstance).toList();
        assertEquals(1, notifications.size(), sent::toString);
        assertTrue(((NotificationMessage) notifications.get(0)).isHardReset(), "RFC 8538 §5.1: both set N");
        assertEquals(RestartMarker.State.SHUTDOWN, marker());

        Run second = start(port, "{\"onStop\": \"shutdown\"}");
        assertFalse(second.open().gracefulRestart().restartState(), "the leaves withdrew our routes: no restart");
        stop(second);
    }
}
