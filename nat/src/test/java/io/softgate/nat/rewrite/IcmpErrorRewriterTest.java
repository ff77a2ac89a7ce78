package io.softgate.nat.rewrite;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.packet.IcmpFlyweight;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.nat.testing.Frame;
import io.softgate.nat.testing.Packets;
import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * {@link IcmpErrorRewriter#checksumsValid} on its own (RFC 5508 REQ-3): the ICMP checksum over
 * the message as received, however much of the datagram it quotes, and the embedded IPv4 header
 * checksum; never the embedded transport checksum.
 */
class IcmpErrorRewriterTest {
    private static final String ROUTER = "192.0.2.254";
    private static final String PUBLIC = "198.51.100.1";
    private static final String SERVER = "192.0.2.1";
    /** The quoted datagram: 20 bytes of IPv4, 8 of UDP, 13 of payload (an odd length). */
    private static final byte[] DATAGRAM = Packets.ip(PUBLIC, SERVER).udp(40000, 53).payload(13).build();

    @Test
    void shouldAcceptAnErrorQuotingTheWholeDatagram() {
        assertTrue(valid(error(quote(DATAGRAM.length - Frame.IP), false)));
    }

    @Test
    void shouldAcceptAnErrorQuotingPartOfTheDatagramTheIcmpChecksumCoversWhatIsThere() {
        for (int quoted : new int[] {28, 29, 33, 40}) {
            assertTrue(valid(error(quote(quoted), false)), quoted + " bytes quoted");
        }
    }

    @Test
    void shouldRefuseAWrongIcmpChecksum() {
        assertFalse(valid(error(quote(28), true)));
    }

    @Test
    void shouldRefuseAnErrorWhoseQuotedBytesChangedAfterItsIcmpChecksumWasComputed() {
        byte[] error = error(quote(DATAGRAM.length - Frame.IP), false);
        error[error.length - 1] ^= 0x01; // the last (odd) byte of the quoted payload
        assertFalse(valid(error));
        byte[] truncated = error(quote(28), false);
        truncated[truncated.length - 8] ^= 0x40; // the quoted UDP source port
        assertFalse(valid(truncated));
    }

    @Test
    void shouldRefuseAWrongEmbeddedIpv4HeaderChecksumUnderARightIcmpChecksum() {
        byte[] quoted = quote(28);
        quoted[Ipv4Flyweight.CHECKSUM_OFFSET] ^= 0x5A;
        assertFalse(valid(error(quoted, false)));
    }

    @Test
    void shouldNotCheckTheEmbeddedTransportChecksum() {
        byte[] wrongUdp = Packets.ip(PUBLIC, SERVER).udp(40000, 53).payload(13).corruptL4Checksum().build();
        assertTrue(valid(error(Arrays.copyOfRange(wrongUdp, Frame.IP, wrongUdp.length), false)));
    }

    private static byte[] quote(int length) {
        return Arrays.copyOfRange(DATAGRAM, Frame.IP, Frame.IP + length);
    }

    private static byte[] error(byte[] quoted, boolean corruptIcmpChecksum) {
        var builder = Packets.ip(ROUTER, PUBLIC).icmp(IcmpFlyweight.V4_TIME_EXCEEDED, 0, 0).payload(quoted);
        return (corruptIcmpChecksum ? builder.corruptL4Checksum() : builder).build();
    }

    private static boolean valid(byte[] error) {
        UnsafeBuffer buffer = new UnsafeBuffer(error);
        int l4 = Frame.IP + Ipv4Flyweight.headerLength(buffer, Frame.IP);
        int icmpEnd = Frame.IP + Ipv4Flyweight.totalLength(buffer, Frame.IP);
        return IcmpErrorRewriter.checksumsValid(buffer, l4, icmpEnd, l4 + IcmpFlyweight.HEADER_LENGTH);
    }
}
