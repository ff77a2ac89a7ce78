package io.softgate.io.udp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.softgate.core.io.PacketIo;

/**
 * What {@link UdpPacketIoBackend} needs from a worker's UDP queue in either event-loop mode
 * ({@link UdpPacketIo}: separate event loop thread; {@link WorkerDrivenUdpPacketIo}: the worker
 * drives the loop).
 *
 * <p>Threading: {@link #receiveHandler}, {@link #attach} and {@link #maxPayloadBytes} on the control
 * thread while opening; the rest as {@link PacketIo} says.
 */
interface UdpQueue extends PacketIo {
    /** The handler the socket's pipeline gets. */
    ChannelInboundHandlerAdapter receiveHandler();

    /** Hands over the bound socket and its actual port, before the queue goes to its worker. */
    void attach(Channel boundChannel, int boundPort);

    /** The bound socket (tests read its options back). */
    Channel channel();

    /** Largest UDP payload accepted. */
    int maxPayloadBytes();

    boolean isClosed();
}
