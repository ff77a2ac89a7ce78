package io.softgate.core.io;

import io.softgate.core.io.ConformanceFrames.Endpoints;
import java.nio.file.Path;

/** Runs the conformance suite against the in-memory backend. */
class MemoryPacketIoConformanceTest extends PacketIoConformanceSuite {
    @Override
    protected Harness createHarness(Path directory) {
        MemoryPacketIoBackend backend = new MemoryPacketIoBackend(QUEUE_CAPACITY, QUEUE_CAPACITY, MAX_FRAME_BYTES);
        Endpoints endpoints = new Endpoints(0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L, 0x0A000001, 0x0A000002, 4789, 4789);
        return new Harness() {
            @Override
            public PacketIoBackend backend() {
                return backend;
            }

            @Override
            public Endpoints endpoints() {
                return endpoints;
            }

            @Override
            public void deliver(byte[] frame) {
                backend.queue(0).inject(frame);
            }

            @Override
            public byte[] collect(long timeoutMs) {
                return backend.queue(0).pollTransmitted();
            }

            @Override
            public void close() {
                backend.close();
            }
        };
    }
}
