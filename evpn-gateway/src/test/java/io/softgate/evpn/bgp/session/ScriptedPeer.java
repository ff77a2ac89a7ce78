package io.softgate.evpn.bgp.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.softgate.evpn.bgp.message.BgpMessage;
import io.softgate.evpn.bgp.message.BgpMessageDecoder;
import io.softgate.evpn.bgp.message.BgpMessageEncoder;
import io.softgate.evpn.bgp.message.CodecContext;
import io.softgate.evpn.bgp.message.MessageDecodeResult;
import io.softgate.evpn.bgp.message.NotificationMessage;
import io.softgate.evpn.bgp.message.WireBuilder;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;

/**
 * A BGP peer on a plain socket that sends exactly the bytes a test gives it. Shared with other
 * modules' tests through evpn-gateway's test-jar.
 *
 * <p>Threading: not thread-safe; one thread at a time (normally the test's own) sends, reads and closes it.
 */
public final class ScriptedPeer implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /** Connects from {@code local} to the speaker's listening socket. */
    public ScriptedPeer(InetAddress local, InetAddress speaker, int port) throws IOException {
        this(connect(local, speaker, port));
    }

    private ScriptedPeer(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(3000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    private static Socket connect(InetAddress local, InetAddress speaker, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(local, 0));
        socket.connect(new InetSocketAddress(speaker, port), 2000);
        return socket;
    }

    /** Waits (up to 5 s) for the speaker to connect to {@code listener} and takes that connection. */
    public static ScriptedPeer accept(ServerSocket listener) throws IOException {
        listener.setSoTimeout(5000);
        return new ScriptedPeer(listener.accept());
    }

    /** Sends the OPEN body given, reads the speaker's OPEN and KEEPALIVE, sends KEEPALIVE. */
    public BgpMessage handshake(String openBodyHex) throws IOException {
        return handshake(WireBuilder.message(BgpMessage.TYPE_OPEN, openBodyHex));
    }

    /** Sends {@code open}, reads the speaker's OPEN and KEEPALIVE, sends KEEPALIVE. */
    public BgpMessage handshake(BgpMessage open) throws IOException {
        return handshake(encode(open));
    }

    private BgpMessage handshake(ByteBuf ourOpen) throws IOException {
        send(ourOpen);
        BgpMessage open = read();
        read();
        send(WireBuilder.message(BgpMessage.TYPE_KEEPALIVE, ""));
        return open;
    }

    /** How long a read waits for the speaker before it throws {@link java.net.SocketTimeoutException} (3 s at first). */
    public void setReadTimeoutMillis(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    public void send(ByteBuf message) throws IOException {
        byte[] bytes = new byte[message.readableBytes()];
        message.readBytes(bytes);
        out.write(bytes);
        out.flush();
    }

    private static ByteBuf encode(BgpMessage message) {
        ByteBuf encoded = Unpooled.buffer();
        new BgpMessageEncoder().encode(message, encoded, CodecContext.standard());
        return encoded;
    }

    public BgpMessage read() throws IOException {
        byte[] header = new byte[19];
        in.readFully(header);
        int length = ((header[16] & 0xFF) << 8) | (header[17] & 0xFF);
        byte[] message = new byte[length];
        System.arraycopy(header, 0, message, 0, 19);
        in.readFully(message, 19, length - 19);
        MessageDecodeResult result = new BgpMessageDecoder().decode(Unpooled.wrappedBuffer(message),
                CodecContext.standard().withMaxMessageLength(CodecContext.EXTENDED_MAX_MESSAGE_LENGTH));
        if (result.isFailure()) {
            throw new IOException("undecodable message from the speaker: " + result.error());
        }
        return result.message();
    }

    /** Reads past every other message to the next NOTIFICATION. */
    public NotificationMessage readNotification() throws IOException {
        BgpMessage message = read();
        while (!(message instanceof NotificationMessage)) {
            message = read();
        }
        return (NotificationMessage) message;
    }

    /**
     * Reads until the speaker closes the connection (end of stream within the read timeout, 3 s
     * unless {@link #setReadTimeoutMillis} changed it) and returns every message it sent before that.
     */
    public List<BgpMessage> readUntilClosed() throws IOException {
        List<BgpMessage> messages = new ArrayList<>();
        while (true) {
            try {
                messages.add(read());
            } catch (EOFException | SocketException closed) {
                return messages; // FIN (EOF) or RST (SocketException): the connection is gone
            }
        }
    }

    /** Closes the TCP connection without a NOTIFICATION, as a crashing peer does. */
    @Override
    public void close() throws IOException {
        socket.close();
    }
}
