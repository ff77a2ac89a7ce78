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

/** The BGP speaker's start and stop inside the service's life cycle (no packets, no connection attempts). */
class ServiceProcessBgpTest {
    private static final String NODE = "\"node\": {\"name\": \"sg\", \"routerMac\": \"02:00:00:00:00:01\", "
        + "\"vtepAddress\": \"10.0.0.1\"}, \"dataplane\": {\"framesPerWorker\": 256}, \"stateDir\": \"state\", "
        + "\"forwarding\": {\"vrfs\": [{\"name\": \"tenant\", \"l3vni\": 5001}]}";

    @TempDir
    Path directory;

    private ServiceProcess process(String bgp, IdlePortFactory io) throws Exception {
        Path config = directory.resolve("softgate.json");
        Files.writeString(config, "{" + NODE + ", \"bgp\": " + bgp + "}");
        return new ServiceProcess(ConfigLoader.load(config), io, NanoClock.SYSTEM);
    }

    @Test
    void shouldRunTheSpeakerWithTheServiceAndStopCleanly() throws Exception {
        IdlePortFactory io = new IdlePortFactory();
        // A passive neighbour and no listener: the speaker starts but never touches the network.
        ServiceProcess process = process("{\"enabled\": true, \"asn\": 65000, \"routerId\": \"10.0.0.1\", "
            + "\"neighbors\": [{\"address\": \"10.0.0.2\", \"remoteAsn\": 65000, \"passive\": true}], "
            + "\"vrfs\": [{\"name\": \"tenant\", \"advertiseDefaultRoute\": true}]}", io);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(process::run);
        assertTrue(process.awaitRunning(20_000), "service did not start");
        process.requestStop();
        assertEquals(ExitCodes.OK, exit.get(20, TimeUnit.SECONDS));
        assertEquals(0, io.open.get(), "ports left open");
    }

    @Test
    void shouldFailWithoutStartingWhenTheListenAddressCannotBeBound() throws Exception {
        IdlePortFactory io = new IdlePortFactory();
        // 192.0.2.99 (TEST-NET-1) is on no interface of this host: the bind fails, nothing is sent.
        ServiceProcess process = process("{\"enabled\": true, \"asn\": 65000, \"routerId\": \"10.0.0.1\", "
            + "\"listenAddress\": \"192.0.2.99\", \"listenPort\": 0}", io);

        assertEquals(ExitCodes.FAILURE, CompletableFuture.supplyAsync(process::run).get(20, TimeUnit.SECONDS));
        assertEquals(0, io.open.get(), "ports left open");
    }
}
