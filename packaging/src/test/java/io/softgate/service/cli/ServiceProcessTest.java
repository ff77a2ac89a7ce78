package io.softgate.service.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.pipeline.NanoClock;
import io.softgate.service.ExitCodes;
import io.softgate.service.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceProcessTest {
    @TempDir
    Path directory;

    @Test
    void shouldCreateTheStateDirectoryRunUntilStoppedAndCloseEveryPort() throws Exception {
        Path config = directory.resolve("etc/softgate.json");
        Files.createDirectories(config.getParent());
        Files.writeString(config, "{\"node\": {\"name\": \"sg\", \"routerMac\": \"02:00:00:00:00:01\", \"vtepAddress\": \"10.0.0.1\"},"
            + " \"dataplane\": {\"workers\": 2, \"framesPerWorker\": 256}, \"stateDir\": \"../state\"}");
        IdlePortFactory io = new IdlePortFactory();
        ServiceProcess process = new ServiceProcess(ConfigLoader.load(config), io, NanoClock.SYSTEM);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(process::run);
        assertTrue(process.awaitRunning(10_000), "service did not start");
        assertEquals(2, io.open.get());
        assertTrue(Files.isDirectory(directory.resolve("state")));
        process.requestStop();
        assertEquals(ExitCodes.OK, exit.get(10, TimeUnit.SECONDS));
        assertEquals(0, io.open.get(), "ports left open");
    }
}
