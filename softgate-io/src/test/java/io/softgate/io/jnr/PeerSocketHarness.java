package io.softgate.io.jnr;

import io.softgate.core.io.ConformanceFrames.Endpoints;
import io.softgate.core.io.PacketIoBackend;
import io.softgate.core.io.PacketIoConformanceSuite.Harness;

/**
 * The conformance suite's harness for a backend bound to a real link: frames reach the queue
 * through an AF_PACKET peer on the other side of the link, and the peer sees what the queue
 * sends. Closing it closes the peer, then deletes the namespaces the test created.
 *
 * <p>Threading: the suite's test thread only.
 */
public final class PeerSocketHarness implements Harness {
    private final PacketIoBackend backend;
    private final Endpoints endpoints;
    private final PacketSocket peer;
    private final TestNamespaces namespaces;

    public PeerSocketHarness(PacketIoBackend backend, Endpoints endpoints, PacketSocket peer, TestNamespaces namespaces) {
        this.backend = backend;
        this.endpoints = endpoints;
        this.peer = peer;
        this.namespaces = namespaces;
    }

    @Override
    public PacketIoBackend backend() {
        return backend;
    }

    @Override
    public Endpoints endpoints() {
        return endpoints;
    }

    @Override
    public void deliver(byte[] frame) throws Exception {
        peer.send(frame);
    }

    @Override
    public byte[] collect(long timeoutMs) throws Exception {
        return peer.receive(timeoutMs);
    }

    @Override
    public boolean asynchronous() {
        return true;
    }

    @Override
    public void close() {
        try {
            peer.close();
        } finally {
            namespaces.close();
        }
    }
}
