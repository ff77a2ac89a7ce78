package io.softgate.core.io;

import io.softgate.core.io.ConformanceFrames.Endpoints;
import java.io.IOException;
import java.nio.file.Path;
import org.agrona.concurrent.OffsetEpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Runs the conformance suite against the pcap backend: the peer appends records to the input
 * capture, which the queue follows, and reads the output capture back.
 */
class PcapPacketIoConformanceTest extends PacketIoConformanceSuite {
    @Override
    protected Harness createHarness(Path directory) throws IOException {
        Path input = directory.resolve("in.pcap");
        Path output = directory.resolve("out.pcap");
        PcapWriter inputWriter = PcapWriter.create(input);
        inputWriter.flush();
        PcapPacketIoBackend backend = new PcapPacketIoBackend(input, output, MAX_FRAME_BYTES, true,
            new OffsetEpochNanoClock());
        Endpoints endpoints = new Endpoints(0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L, 0x0A000001, 0x0A000002, 4789, 4789);
        UnsafeBuffer scratch = new UnsafeBuffer(new byte[PcapFormat.MAX_RECORD_LENGTH]);
        return new Harness() {
            private PcapReader outputReader;

            @Override
            public PacketIoBackend backend() {
                return backend;
            }

            @Override
            public Endpoints endpoints() {
                return endpoints;
            }

            @Override
            public void deliver(byte[] frame) throws IOException {
                inputWriter.write(new UnsafeBuffer(frame), 0, frame.length, 1_000_000_000L);
                inputWriter.flush();
            }

            @Override
            public byte[] collect(long timeoutMs) throws IOException {
                if (outputReader == null) {
                    outputReader = PcapReader.open(output, true);
                }
                int length = outputReader.next(scratch, 0, scratch.capacity());
                if (length < 0) {
                    return null;
                }
                byte[] frame = new byte[length];
                scratch.getBytes(0, frame);
                return frame;
            }

            @Override
            public void close() throws IOException {
                inputWriter.close();
                if (outputReader != null) {
                    outputReader.close();
                }
            }
        };
    }
}
