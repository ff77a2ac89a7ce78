package io.softgate.service.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code io.udp} settings: defaults, every field read, and the event-loop mode's error path. */
class UdpConfigTest {
    private static final String NODE = "\"node\": {\"name\": \"sg1\", \"routerMac\": \"02:00:00:00:00:01\", \"vtepAddress\": \"10.255.0.1\"}";

    private static SoftgateConfig parse(String io) throws ConfigException {
        return ConfigLoader.parse("test.json", ("{" + NODE + ", \"io\": " + io + "}").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldDefaultToTheWorkerDrivenEventLoop() throws ConfigException {
        UdpConfig udp = parse("{\"backend\": \"udp\"}").io().udp();

        assertEquals(new UdpConfig("0.0.0.0", 4789, false, UdpEventLoopKind.WORKER, true), udp);
    }

    @Test
    void shouldReadEveryUdpSetting() throws ConfigException {
        UdpConfig udp = parse("{\"udp\": {\"bindAddress\": \"10.255.0.1\", \"port\": 14789, \"busyPoll\": true,"
            + " \"eventLoop\": \"separate\", \"segmentation\": false}}").io().udp();

        assertEquals(new UdpConfig("10.255.0.1", 14789, true, UdpEventLoopKind.SEPARATE, false), udp);
    }

    @Test
    void shouldListTheAllowedEventLoopModes() {
        List<String> errors = assertThrows(ConfigException.class,
            () -> parse("{\"udp\": {\"eventLoop\": \"netty\"}}")).errors().stream().map(ConfigError::toString).toList();

        assertEquals(List.of("io.udp.eventLoop: must be one of [worker, separate] (was netty)"), errors);
    }
}
