package io.softgate.evpn.bgp.message;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Jazzer fuzzing of the message decoder: whatever the bytes, decoding returns a message or a
 * NOTIFICATION and never throws. Runs the seeds in regression mode under plain {@code mvn
 * test}; {@code JAZZER_FUZZ=1} fuzzes.
 */
class BgpMessageDecoderFuzzTest {
    private final BgpMessageDecoder decoder = new BgpMessageDecoder();

    @FuzzTest(maxDuration = "60s")
    void shouldNeverThrowOnArbitraryMessageBody(byte[] data) {
        if (data.length < 1) {
            return;
        }
        // The first byte picks the message type and session flavour, the rest is the body:
        // a valid header lets the fuzzer reach the UPDATE and OPEN parsers.
        int selector = data[0] & 0xFF;
        ByteBuf message = Unpooled.buffer();
        int start = BgpMessageEncoder.writeHeader(message, 1 + (selector & 0x07) % 5);
        message.writeBytes(data, 1, Math.min(data.length - 1, CodecContext.EXTENDED_MAX_MESSAGE_LENGTH - 19));
        BgpMessageEncoder.finishMessage(message, start);
        CodecContext context = CodecContext.standard().withFourOctetAs((selector & 0x08) == 0)
                .withExternalPeer((selector & 0x10) != 0)
                .withMaxMessageLength(CodecContext.EXTENDED_MAX_MESSAGE_LENGTH);
        MessageDecodeResult result = decoder.decode(message, context);
        if (!result.isFailure() && result.message() instanceof NotificationMessage) {
            // RFC 8538 §3.1: the Hard Reset's encapsulated NOTIFICATION is read from peer data too.
            NotificationMessage notification = (NotificationMessage) result.message();
            notification.hardResetCause();
            notification.toString();
        }
    }

    @FuzzTest(maxDuration = "30s")
    void shouldNeverThrowOnArbitraryBytes(byte[] data) {
        decoder.decode(Unpooled.wrappedBuffer(data), CodecContext.standard());
    }
}
