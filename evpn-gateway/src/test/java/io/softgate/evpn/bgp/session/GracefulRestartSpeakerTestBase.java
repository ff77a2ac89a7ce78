package io.softgate.evpn.bgp.session;

import static io.softgate.evpn.bgp.message.WireBuilder.EMPTY_AS_PATH;
import static io.softgate.evpn.bgp.message.WireBuilder.ORIGIN_IGP;
import static io.softgate.evpn.bgp.message.WireBuilder.attribute;
import static io.softgate.evpn.bgp.message.WireBuilder.update;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.evpn.bgp.config.BgpNodeSettings;
import io.softgate.evpn.bgp.config.GracefulRestartSettings;
import io.softgate.evpn.bgp.config.NeighborSettings;
import io.softgate.evpn.bgp.config.VrfSettings;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.evpn.bgp.system.Routes;
import java.io.IOException;
import java.net.InetAddress;
import org.junit.jupiter.api.AfterEach;

/**
 * What the graceful-restart tests share: one {@link BgpSpeaker} under test, node {@code n} of
 * the loopback lab (listening on 127.0.0.n; router id 10.0.0.n, VTEP 192.0.2.n, MAC
 * 02:00:00:00:00:0n; AS 65000, VRF vpc with L3VNI 5001), with the graceful-restart settings a
 * test gives it and passive towards one internal peer, a {@link ScriptedPeer} from 127.0.0.1;
 * the OPENs that peer sends and the type-5 route it advertises. Each subclass takes its own
 * node number so that test classes never share an address.
 */
abstract class GracefulRestartSpeakerTestBase {
    static final InetAddress PEER = InetAddresses.parse("127.0.0.1");
    /**
     * OPEN: AS 65000, hold 90, id 10.0.0.99; MP evpn, 4-octet AS, GR flags + time {@code RESTART}
     * (four hex digits), evpn F bit.
     */
    static final String OPEN_TEMPLATE = """
            04 fde8 005a 0a000063 1a
            02 06 01 04 0019 00 46
            02 06 41 04 0000fde8
            02 08 40 06 RESTART 0019 46 80
            """;
    /** {@link #OPEN_TEMPLATE} with a 120 s restart time, without the RFC 8538 N bit. */
    static final String OPEN_WITHOUT_N = OPEN_TEMPLATE.replace("RESTART", "0078");
    /** {@link #OPEN_TEMPLATE} with a 120 s restart time and the RFC 8538 N bit. */
    static final String OPEN_WITH_N = OPEN_TEMPLATE.replace("RESTART", "4078");
    /** OPEN: AS 65000, hold 90, id 10.0.0.99; MP evpn, 4-octet AS. */
    static final String OPEN_WITHOUT_GRACEFUL_RESTART = """
            04 fde8 005a 0a000063 10
            02 06 01 04 0019 00 46
            02 06 41 04 0000fde8
            """;
    static final String COMMUNITIES = attribute(0xc0, 16, "0002fde800001389 030c000000000008 0603020000000063");
    /** The peer's type-5 route: 198.51.100.1/32 in L3VNI 5001. */
    static final String TYPE5 = "05 22 0001 0a000063 0001 00000000000000000000 00000000 20 c6336401 00000000 001389";
    static final String REACH = attribute(0x90, 14, "0019 46 04 c0000263 00 " + TYPE5);
    /** The L2VPN EVPN End-of-RIB: an MP_UNREACH_NLRI attribute without routes. */
    static final String EVPN_END_OF_RIB = attribute(0x80, 15, "0019 46");

    /** 127.0.0.n. */
    final InetAddress speakerAddress;
    private final int node;
    final RecordingListener listener = new RecordingListener();
    /** The speaker under test; a test that closes it itself sets it to null. */
    BgpSpeaker speaker;

    /** @param node the lab node number n, 2 to 255 (127.0.0.1 is the peer's) */
    GracefulRestartSpeakerTestBase(int node) {
        this.node = node;
        this.speakerAddress = InetAddresses.parse("127.0.0." + node);
    }

    void startSpeaker(GracefulRestartSettings restart) throws Exception {
        speaker = new BgpSpeaker(BgpNodeSettings.builder().routerId(InetAddresses.parse("10.0.0." + node)).asNumber(65000)
                .vtepAddress(InetAddresses.parse("192.0.2." + node)).routerMac(0x02_00_00_00_00_00L | node)
                .listen(speakerAddress, 0).vrf(VrfSettings.of("vpc", 5001, 1)).gracefulRestart(restart)
                .neighbor(NeighborSettings.evpn(PEER, 65000).withPassive(true)).build());
        speaker.addListener(listener);
        speaker.start();
    }

    @AfterEach
    void stop() {
        if (speaker != null) {
            speaker.close();
        }
    }

    /** A new connection from the peer to the speaker. */
    ScriptedPeer connectPeer() throws IOException {
        return new ScriptedPeer(PEER, speakerAddress, speaker.listenPort());
    }

    /** Whether the speaker's session with the peer is Established. */
    boolean peerEstablished() {
        return speaker.peerStates().get(PEER) == BgpState.ESTABLISHED;
    }

    /** Whether the speaker has the peer's type-5 route (198.51.100.1) and has not withdrawn it. */
    boolean learned() {
        return Routes.last(listener, "198.51.100.1") != null && !Routes.last(listener, "198.51.100.1").withdrawn();
    }

    /** Handshake with {@code open}, then the peer's type-5 route sent and learned. */
    void establishWithRoute(ScriptedPeer peer, String open) throws Exception {
        peer.handshake(open);
        peer.send(update("", ORIGIN_IGP + EMPTY_AS_PATH + COMMUNITIES + REACH, ""));
        assertTrue(Await.until(this::learned, 3000));
    }
}
