package io.softgate.service.cli;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.service.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration the CDS training run starts with is valid and has every feature. */
class CdsTrainingCommandTest {
    @TempDir
    Path directory;

    @Test
    void shouldTrainWithAValidConfigurationThatHasNatLoadBalancerAndAcl() throws Exception {
        Path file = directory.resolve("softgate.json");
        Files.writeString(file, CdsTrainingCommand.configuration(40_000));
        ConfigLoader.LoadedConfig loaded = ConfigLoader.load(file);
        assertNotNull(loaded.config().nat());
        assertNotNull(loaded.config().loadBalancer());
        assertNotNull(loaded.config().acl());
        assertTrue(loaded.config().io().udp().bindAddress().startsWith("127."));
    }
}
