package io.softgate.io.udp;

import io.netty.channel.ChannelFactory;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;

/**
 * Which Netty transport carries the UDP sockets: {@link #EPOLL} (native; SO_REUSEPORT, recvmmsg,
 * sendmmsg) or {@link #NIO} (pure Java fallback: one datagram per system call). {@link #AUTO}
 * picks epoll when its native library loads and NIO otherwise.
 *
 * <p>Threading: immutable enum.
 */
public enum UdpTransport {
    AUTO,
    EPOLL,
    NIO;

    /** The transport {@code this} resolves to on this machine ({@link #AUTO} becomes epoll or NIO). */
    public UdpTransport resolve() {
        if (this == AUTO) {
            return Epoll.isAvailable() ? EPOLL : NIO;
        }
        return this;
    }

    /** True when this transport can run here. */
    public boolean isAvailable() {
        return this != EPOLL || Epoll.isAvailable();
    }

    /** Why this transport cannot run here, or null. */
    public Throwable unavailabilityCause() {
        return this == EPOLL ? Epoll.unavailabilityCause() : null;
    }

    IoHandlerFactory ioHandlerFactory() {
        return resolve() == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    ChannelFactory<? extends DatagramChannel> channelFactory() {
        return resolve() == EPOLL ? EpollDatagramChannel::new : NioDatagramChannel::new;
    }
}
