package io.softgate.service.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.io.PcapWriter;
import io.softgate.core.packet.PacketBuilder;
import io.softgate.service.ExitCodes;
import io.softgate.service.SoftgateMain;
import io.softgate.service.systemtest.VxlanCapture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayCommandTest {
    private static final String SOFTGATE_MAC = "02:5f:00:00:00:01";
    private static final String HV1_MAC = "02:5f:00:00:0b:01";
    private static final String HV2_MAC = "02:5f:00:00:0b:02";
    private static final String CONFIG = """
        {
          "node": {"name": "sg", "routerMac": "02:5f:00:00:00:01", "vtepAddress": "10.255.0.1"},
          "forwarding": {"vrfs": [{"name": "tenant", "l3vni": 5001, "routes": [
            {"prefix": "10.1.1.0/24", "nextHopVtep": "10.255.0.11", "nextHopRouterMac": "02:5f:00:00:0b:01"},
            {"prefix": "10.1.2.0/24", "nextHopVtep": "10.255.0.12", "nextHopRouterMac": "02:5f:00:00:0b:02"}]}]},
          "io": {"backend": "memory"},
          "stateDir": "state"
        }
        """;

    @TempDir
    Path directory;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PrintStream originalOut;

    @BeforeEach
    void captureOutput() {
        originalOut = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreOutput() {
        System.setOut(originalOut);
    }

    private static byte[] fromHypervisor1(int vni, String innerDestination) {
        byte[] inner = PacketBuilder.ethernet(HV1_MAC, SOFTGATE_MAC).ipv4("10.1.1.10", innerDestination).ttl(64)
            .udp(40000, 53).payload(32).build();
        return PacketBuilder.vxlan(PacketBuilder.parseMac("02:00:00:00:aa:01"), PacketBuilder.parseMac("02:00:00:00:aa:02"),
            "10.255.0.11", "10.255.0.1", 50000, vni, inner);
    }

    private Path writeInput() throws Exception {
        Path input = directory.resolve("in.pcap");
        try (PcapWriter writer = PcapWriter.create(input)) {
            long timeNs = 1_000_000_000L;
            for (byte[] frame : List.of(fromHypervisor1(5001, "10.1.2.10"), fromHypervisor1(7777, "10.1.2.10"))) {
                writer.write(new UnsafeBuffer(frame), 0, frame.length, timeNs);
                timeNs += 1_000;
            }
        }
        return input;
    }

    @Test
    void shouldRouteTheCaptureThroughThePipelineAndWriteTheEncapsulatedResult() throws Exception {
        Path config = Files.writeString(directory.resolve("softgate.json"), CONFIG);
        Path input = writeInput();
        Path output = directory.resolve("out.pcap");

        assertEquals(ExitCodes.OK, SoftgateMain.execute("replay", "--config", config.toString(), input.toString(),
            output.toString()));

        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("worker.rx-packets 2"), printed);
        assertTrue(printed.contains("worker.tx-packets 1"), printed);
        List<VxlanCapture.VxlanPacket> packets = VxlanCapture.read(output);
        assertEquals(List.of(new VxlanCapture.VxlanPacket("10.255.0.1", "10.255.0.12", 5001, 0x08, SOFTGATE_MAC, HV2_MAC,
            "10.1.1.10", "10.1.2.10")), packets);
    }

    @Test
    void shouldWriteTheSameBytesOnEveryRun() throws Exception {
        Path config = Files.writeString(directory.resolve("softgate.json"), CONFIG);
        Path input = writeInput();
        Path first = directory.resolve("first.pcap");
        Path second = directory.resolve("second.pcap");
        assertEquals(ExitCodes.OK, SoftgateMain.execute("replay", "--config", config.toString(), input.toString(), first.toString()));
        assertEquals(ExitCodes.OK, SoftgateMain.execute("replay", "--config", config.toString(), input.toString(), second.toString()));
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
    }

    @Test
    void shouldFailWithExitCodeOneWhenTheInputIsMissing() throws Exception {
        Path config = Files.writeString(directory.resolve("softgate.json"), CONFIG);
        assertEquals(ExitCodes.FAILURE, SoftgateMain.execute("replay", "--config", config.toString(),
            directory.resolve("missing.pcap").toString(), directory.resolve("out.pcap").toString()));
    }
}
