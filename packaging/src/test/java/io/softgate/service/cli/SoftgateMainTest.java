package io.softgate.service.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.service.ExitCodes;
import io.softgate.service.SoftgateMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoftgateMainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;

    @TempDir
    Path directory;

    @BeforeEach
    void captureOutput() {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreOutput() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldListBothSubcommandsAndExitCodesInHelp() {
        assertEquals(ExitCodes.OK, SoftgateMain.execute("--help"));
        assertTrue(stdout().contains("run") && stdout().contains("replay"), stdout());
        assertTrue(stdout().contains("2   invalid configuration") || stdout().contains("2:") || stdout().contains("  2 "), stdout());
    }

    @Test
    void shouldDescribeTheConfigOptionInRunHelp() {
        assertEquals(ExitCodes.OK, SoftgateMain.execute("run", "--help"));
        assertTrue(stdout().contains("--config=FILE"), stdout());
    }

    @Test
    void shouldDescribeBothCapturesInReplayHelp() {
        assertEquals(ExitCodes.OK, SoftgateMain.execute("replay", "--help"));
        assertTrue(stdout().contains("IN.pcap") && stdout().contains("OUT.pcap"), stdout());
    }

    @Test
    void shouldExitWithTwoAndNameTheFieldWhenTheConfigurationIsInvalid() throws Exception {
        Path config = directory.resolve("bad.json");
        Files.writeString(config, "{\"node\": {\"name\": \"sg\", \"routerMac\": \"02:00:00:00:00:01\", \"vtepAddress\": \"10.0.0.1\"},"
            + " \"forwarding\": {\"vrfs\": [{\"name\": \"a\", \"l3vni\": 1}, {\"name\": \"b\", \"l3vni\": 0}]}}");
        assertEquals(ExitCodes.CONFIGURATION_ERROR, SoftgateMain.execute("run", "--config", config.toString()));
        assertTrue(stderr().contains("forwarding.vrfs[1].l3vni: must be 1..16777215 (was 0)"), stderr());
    }

    @Test
    void shouldExitWithTwoWhenTheConfigurationFileIsMissing() {
        assertEquals(ExitCodes.CONFIGURATION_ERROR, SoftgateMain.execute("run", "--config", directory.resolve("none.json").toString()));
        assertTrue(stderr().contains("file not found"), stderr());
    }

    @Test
    void shouldExitWithTwoWithoutASubcommand() {
        assertEquals(ExitCodes.CONFIGURATION_ERROR, SoftgateMain.execute());
        assertTrue(stderr().contains("a subcommand is required"), stderr());
    }

    @Test
    void shouldExitWithTwoOnAnUnknownOption() {
        assertEquals(ExitCodes.CONFIGURATION_ERROR, SoftgateMain.execute("run", "--config", "x", "--frobnicate"));
    }
}
