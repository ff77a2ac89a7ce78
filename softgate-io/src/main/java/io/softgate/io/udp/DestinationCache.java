package io.softgate.io.udp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Maps an IPv4 address and UDP port to the {@link InetSocketAddress} Netty needs to send there,
 * so a steady stream to a few VTEPs allocates no address objects: a direct-mapped table whose
 * entries are replaced on collision (a miss allocates one address; the set of VTEPs is small).
 *
 * <p>Threading: confined to the worker that owns the queue.
 */
final class DestinationCache {
    private static final int SIZE = 1024;

    private final long[] keys = new long[SIZE];
    private final InetSocketAddress[] addresses = new InetSocketAddress[SIZE];

    InetSocketAddress get(int address, int port) {
        // Key 0 would be 0.0.0.0:0, which is never a destination; store key + 1 so 0 means empty.
        long key = (((address & 0xFFFF_FFFFL) << 16) | port) + 1;
        int index = (int) (key ^ (key >>> 17) ^ (key >>> 31)) & (SIZE - 1);
        if (keys[index] == key) {
            return addresses[index];
        }
        InetSocketAddress fresh = new InetSocketAddress(toInetAddress(address), port);
        keys[index] = key;
        addresses[index] = fresh;
        return fresh;
    }

    private static InetAddress toInetAddress(int address) {
        byte[] bytes = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            // getByAddress only throws for a wrong array length, and ours is always 4.
            throw new IllegalStateException(e);
        }
    }
}
