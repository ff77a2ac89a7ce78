package io.softgate.evpn.forwarding.model;

import io.softgate.core.packet.PacketBuilder;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * An IPv6 address held as two longs: {@code high} is the first 8 octets, {@code low} the last 8.
 *
 * <p>Threading: immutable value.
 */
public record Ipv6Address(long high, long low) {

    /** Parses any textual IPv6 form (no host name lookups); throws IllegalArgumentException otherwise. */
    public static Ipv6Address parse(String text) {
        ByteBuffer bytes = ByteBuffer.wrap(PacketBuilder.parseIpv6(text));
        return new Ipv6Address(bytes.getLong(), bytes.getLong());
    }

    /** The 16 octets in network order. */
    public byte[] toBytes() {
        return ByteBuffer.allocate(16).putLong(high).putLong(low).array();
    }

    @Override
    public String toString() {
        try {
            InetAddress address = InetAddress.getByAddress(toBytes());
            return address instanceof Inet6Address ? address.getHostAddress() : "::ffff:" + address.getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
