package io.softgate.evpn.bgp.session;

import static io.softgate.evpn.bgp.message.WireBuilder.EMPTY_AS_PATH;
import static io.softgate.evpn.bgp.message.WireBuilder.ORIGIN_IGP;
import static io.softgate.evpn.bgp.message.WireBuilder.attribute;
import static io.softgate.evpn.bgp.message.WireBuilder.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.softgate.evpn.bgp.IpPrefixRouteUpdate;
import io.softgate.evpn.bgp.config.BgpNodeSettings;
import io.softgate.evpn.bgp.config.NeighborSettings;
import io.softgate.evpn.bgp.config.VrfSettings;
import io.softgate.evpn.bgp.message.BgpMessage;
import io.softgate.evpn.bgp.message.UpdateErrorCounters;
import io.softgate.evpn.bgp.message.WireBuilder;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A test peer on a plain socket sends crafted malformed UPDATEs: RFC 7606 handling withdraws
 * or ignores the right routes, keeps the session up, counts each outcome, and sends a
 * NOTIFICATION only where the NLRI cannot be trusted.
 */
class MalformedUpdatePeerTest {
    private static final InetAddress PEER = InetAddresses.parse("127.0.0.1");
    private static final InetAddress SPEAKER = InetAddresses.parse("127.0.0.3");
    private BgpSpeaker speaker;
    private final RecordingListener listener = new RecordingListener();
    private Socket socket;
    private DataInputStream in;
    private OutputStream out;

    @BeforeEach
    void connect() throws Exception {
        speaker = new BgpSpeaker(BgpNodeSettings.builder().routerId(InetAddresses.parse("10.0.0.3")).asNumber(65000)
                .vtepAddress(InetAddresses.parse("192.0.2.3")).routerMac(0x02_00_00_00_00_03L).listen(SPEAKER, 0)
                .vrf(VrfSettings.of("vpc", 5001, 1))
                .neighbor(NeighborSettings.evpn(PEER, 65000).withPassive(true)).build());
        speaker.addListener(listener);
        speaker.start();
        socket = new Socket();
        socket.bind(new InetSocketAddress(PEER, 0));
        socket.connect(new InetSocketAddress(SPEAKER, speaker.listenPort()), 2000);
        socket.setSoTimeout(3000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        send(WireBuilder.message(BgpMessage.TYPE_OPEN, """
                04 fde8 005a 0a000063 10      # AS 65000, hold 90, id 10.0.0.99, parameters 16
                02 06 01 04 0019 00 46        # MP l2vpn/evpn
                02 06 41 04 0000fde8          # 4-octet AS 65000
                """));
        assertEquals(BgpMessage.TYPE_OPEN, readMessageType());
        assertEquals(BgpMessage.TYPE_KEEPALIVE, readMessageType());
        send(WireBuilder.message(BgpMessage.TYPE_KEEPALIVE, ""));
        assertTrue(Await.until(() -> speaker.peerStates().get(PEER) == BgpState.ESTABLISHED, 3000));
    }

    @AfterEach
    void close() throws IOException {
        socket.close();
        speaker.close();
    }

    private void send(ByteBuf message) throws IOException {
        byte[] bytes = new byte[message.readableBytes()];
        message.readBytes(bytes);
        out.write(bytes);
        out.flush();
    }

    private int readMessageType() throws IOException {
        byte[] header = new byte[19];
        in.readFully(header);
        int length = ((header[16] & 0xFF) << 8) | (header[17] & 0xFF);
        in.skipNBytes(length - 19);
        return header[18];
    }

    private static String type5(int prefixOctet3) {
        return String.format("05 22 0001 0a000063 0001 00000000000000000000 00000000 20 c63364%02x 00000000 001389", prefixOctet3);
    }

    private static String reach(String nlri) {
        return attribute(0x90, 14, "0019 46 04 c0000263 00 " + nlri);
    }

    private static final String COMMUNITIES = attribute(0xc0, 16, "0002fde800001389 030c000000000008 0603020000000063");

    private IpPrefixRouteUpdate last(int octet) {
        return io.softgate.evpn.bgp.system.Routes.last(listener, "198.51.100." + octet);
    }

    @Test
    void shouldWithdrawRouteWhoseReannouncementHasMalformedOrigin() throws Exception {
        send(update("", ORIGIN_IGP + EMPTY_AS_PATH + COMMUNITIES + reach(type5(1)), ""));
        assertTrue(Await.until(() -> last(1) != null && !last(1).withdrawn(), 3000));
        send(update("", attribute(0x40, 1, "0000") + EMPTY_AS_PATH + COMMUNITIES + reach(type5(1)), ""));
        assertTrue(Await.until(() -> last(1).withdrawn(), 3000), "treat-as-withdraw removed the earlier route");
        assertEquals(1, counters().updatesTreatedAsWithdraw());
        assertEquals(BgpState.ESTABLISHED, speaker.peerStates().get(PEER));
    }

    @Test
    void shouldWithdrawRouteWhoseExtendedCommunitiesHaveBadLength() throws Exception {
        send(update("", ORIGIN_IGP + EMPTY_AS_PATH + COMMUNITIES + reach(type5(2)), ""));
        assertTrue(Await.until(() -> last(2) != null && !last(2).withdrawn(), 3000));
        send(update("", ORIGIN_IGP + EMPTY_AS_PATH + attribute(0xc0, 16, "0002fde8000013") + reach(type5(2)), ""));
        assertTrue(Await.until(() -> last(2).withdrawn(), 3000));
        assertEquals(BgpState.ESTABLISHED, speaker.peerStates().get(PEER));
    }

    @Test
    void shouldIgnoreRouteWithMissingMandatoryAttributes() throws Exception {
        send(update("", COMMUNITIES + reach(type5(3)), ""));
        send(update("", ORIGIN_IGP + EMPTY_AS_PATH + COMMUNITIES + reach(type5(4)), ""));
        assertTrue(Await.until(() -> last(4) != null, 3000));
        assertEquals(null, last(3));
        assertEquals(1, counters().updatesTreatedAsWithdraw());
    }

    @Test
    void shouldSkipUnknownRouteTypeAndLearnTheRest() throws Exception {
        send(update("", ORIGIN_IGP + EMPTY_AS_PATH + COMMUNITIES + reach("0b 04 01020304 " + type5(5)), ""));
        assertTrue(Await.until(() -> last(5) != null, 3000));
        assertEquals(1, counters().unknownEvpnRouteTypesSkipped());
    }

    @Test
    void shouldDiscardMalformedAtomicAggregateAndKeepRoute() throws Exception {
        send(update("", ORIGIN_IGP + EMPTY_AS_PATH + attribute(0x40, 6, "ff") + COMMUNITIES + reach(type5(6)), ""));
        assertTrue(Await.until(() -> last(6) != null && !last(6).withdrawn(), 3000));
        assertEquals(1, counters().attributesDiscarded());
    }

    @Test
    void shouldResetSessionWithNotificationOnBrokenNlriLength() throws Exception {
        send(update("", ORIGIN_IGP + EMPTY_AS_PATH + COMMUNITIES + reach(type5(7)), ""));
        assertTrue(Await.until(() -> last(7) != null, 3000));
        send(update("", ORIGIN_IGP + EMPTY_AS_PATH + reach("05 40 0001"), ""));
        byte[] header = new byte[21];
        in.readFully(header);
        assertEquals(BgpMessage.TYPE_NOTIFICATION, header[18]);
        assertEquals(3, header[19], "UPDATE Message Error");
        assertEquals(1, counters().sessionResets());
        assertTrue(Await.until(() -> last(7).withdrawn(), 3000), "routes of the reset session are withdrawn");
        assertFalse(speaker.peerStates().get(PEER) == BgpState.ESTABLISHED);
        socket.setSoTimeout(2000);
        try {
            in.skipNBytes(((header[16] & 0xFF) << 8 | (header[17] & 0xFF)) - 21);
            assertEquals(-1, in.read(), "the speaker closed the connection");
        } catch (SocketTimeoutException e) {
            throw new AssertionError("connection still open", e);
        }
    }

    private UpdateErrorCounters counters() {
        return speaker.updateErrorCounters(PEER);
    }
}
