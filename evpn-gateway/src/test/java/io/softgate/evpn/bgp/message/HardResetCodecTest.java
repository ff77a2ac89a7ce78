package io.softgate.evpn.bgp.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.softgate.evpn.bgp.AnnotatedHex;
import io.softgate.evpn.bgp.capability.CapabilityCodecs;
import io.softgate.evpn.bgp.capability.GracefulRestartCapability;
import io.softgate.evpn.bgp.nlri.AddressFamily;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 8538 on the wire: the Cease / Hard Reset NOTIFICATION and the NOTIFICATION it
 * encapsulates (§3.1), both directions and malformed, and the N bit of the Graceful Restart
 * capability (§2).
 */
class HardResetCodecTest {
    private final BgpMessageDecoder decoder = new BgpMessageDecoder();

    private NotificationMessage decode(String bodyHex) {
        MessageDecodeResult result = decoder.decode(WireBuilder.message(BgpMessage.TYPE_NOTIFICATION, bodyHex),
                CodecContext.standard());
        assertFalse(result.isFailure(), () -> "unexpected " + result.error());
        return (NotificationMessage) result.message();
    }

    @Test
    void shouldEncodeHardResetEncapsulatingItsCause() {
        NotificationMessage cause = new NotificationMessage(NotificationMessage.CEASE,
                NotificationMessage.ADMINISTRATIVE_SHUTDOWN, AnnotatedHex.bytes("03 627965"));
        ByteBuf out = Unpooled.buffer();
        new BgpMessageEncoder().encode(NotificationMessage.hardReset(cause), out, CodecContext.standard());
        assertEquals(AnnotatedHex.hex(WireBuilder.message(BgpMessage.TYPE_NOTIFICATION, """
                06 09        # Cease, Hard Reset
                06 02        # encapsulated: Cease, Administrative Shutdown
                03 627965    # its data: an RFC 9003 shutdown communication, "bye"
                """)), AnnotatedHex.hex(out));
    }

    @Test
    void shouldDecodeTheCauseOfAHardReset() {
        NotificationMessage hardReset = decode("""
                06 09        # Cease, Hard Reset
                06 01        # encapsulated: Cease, Maximum Number of Prefixes Reached
                0019 46 000003e8  # its data: l2vpn/evpn, limit 1000 (RFC 4486 §4)
                """);
        assertTrue(hardReset.isHardReset());
        NotificationMessage cause = hardReset.hardResetCause();
        assertEquals(new NotificationMessage(NotificationMessage.CEASE,
                NotificationMessage.MAXIMUM_NUMBER_OF_PREFIXES_REACHED, AnnotatedHex.bytes("0019 46 000003e8")), cause);
    }

    @Test
    void shouldDecodeAHardResetWithOnlyTheEncapsulatedCodes() {
        NotificationMessage cause = decode("06 09 04 00").hardResetCause();
        assertEquals(new NotificationMessage(NotificationMessage.HOLD_TIMER_EXPIRED, 0), cause);
    }

    @Test
    void shouldKeepAHardResetTooShortForItsCauseAHardReset() {
        for (String body : List.of("06 09", "06 09 06")) {
            NotificationMessage hardReset = decode(body);
            assertTrue(hardReset.isHardReset(), body);
            assertNull(hardReset.hardResetCause(), body);
            assertTrue(hardReset.toString().contains("too short"), hardReset::toString);
        }
    }

    @Test
    void shouldFindNoCauseInOtherNotifications() {
        NotificationMessage shutdown = decode("06 02 0602");
        assertFalse(shutdown.isHardReset());
        assertNull(shutdown.hardResetCause());
    }

    @Test
    void shouldCutAnOversizedCauseSoTheHardResetFitsAStandardMessage() {
        NotificationMessage cause = new NotificationMessage(NotificationMessage.UPDATE_MESSAGE_ERROR,
                NotificationMessage.MALFORMED_ATTRIBUTE_LIST, new byte[5000]);
        ByteBuf out = Unpooled.buffer();
        new BgpMessageEncoder().encode(NotificationMessage.hardReset(cause), out, CodecContext.standard());
        assertEquals(CodecContext.STANDARD_MAX_MESSAGE_LENGTH, out.readableBytes());
        MessageDecodeResult result = decoder.decode(out, CodecContext.standard());
        NotificationMessage decodedCause = ((NotificationMessage) result.message()).hardResetCause();
        assertEquals(NotificationMessage.UPDATE_MESSAGE_ERROR, decodedCause.errorCode());
        assertEquals(NotificationMessage.MALFORMED_ATTRIBUTE_LIST, decodedCause.errorSubcode());
        assertEquals(CodecContext.STANDARD_MAX_MESSAGE_LENGTH - 19 - 4, decodedCause.data().length);
    }

    @Test
    void shouldSendAsHardResetOnlyTheCeaseSubcodesOfRfc8538Section51() {
        for (int subcode = 0; subcode <= 10; subcode++) {
            boolean expected = subcode >= 1 && subcode <= 4;
            assertEquals(expected, new NotificationMessage(NotificationMessage.CEASE, subcode).warrantsHardReset(),
                    "Cease subcode " + subcode);
        }
        assertFalse(new NotificationMessage(NotificationMessage.HOLD_TIMER_EXPIRED, 0).warrantsHardReset());
        assertFalse(new NotificationMessage(NotificationMessage.UPDATE_MESSAGE_ERROR, 1).warrantsHardReset());
    }

    @Test
    void shouldEncodeAndDecodeTheNotificationBitOfGracefulRestart() {
        GracefulRestartCapability restart = new GracefulRestartCapability(false, true, 120,
                List.of(new GracefulRestartCapability.Family(AddressFamily.L2VPN_EVPN, true)));
        ByteBuf out = Unpooled.buffer();
        CapabilityCodecs.encode(restart, out);
        String wire = """
                40 06        # Graceful Restart, 6 octets
                4078         # flags R=0 N=1, restart time 120 s
                0019 46 80   # l2vpn/evpn, forwarding state preserved
                """;
        assertEquals(AnnotatedHex.hex(AnnotatedHex.bytes(wire)), AnnotatedHex.hex(out));
        ByteBuf in = AnnotatedHex.buffer(wire).skipBytes(2);
        GracefulRestartCapability decoded = (GracefulRestartCapability) CapabilityCodecs.decode(
                GracefulRestartCapability.CODE, in, 6);
        assertEquals(restart, decoded);
        assertTrue(decoded.notificationSupport());
    }
}
