package io.softgate.service.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code io.backend: af_xdp} settings and {@code io.fallback}: defaults and every error path. */
class AfXdpConfigTest {
    private static final String NODE = "\"node\": {\"name\": \"sg1\", \"routerMac\": \"02:00:00:00:00:01\", \"vtepAddress\": \"10.255.0.1\"}";

    private static SoftgateConfig parse(String io) throws ConfigException {
        return ConfigLoader.parse("test.json", ("{" + NODE + ", \"io\": " + io + "}").getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> errors(String io) {
        return assertThrows(ConfigException.class, () -> parse(io)).errors().stream().map(ConfigError::toString).toList();
    }

    @Test
    void shouldDefaultToAutomaticModesWithoutBusyPollAndNoFallback() throws ConfigException {
        IoConfig io = parse("{\"backend\": \"af_xdp\", \"af_xdp\": {\"interfaceName\": \"eth1\"}}").io();
        assertEquals(IoBackendKind.AF_XDP, io.backend());
        assertEquals(new AfXdpConfig("eth1", null, XdpModeKind.AUTO, XdpCopyModeKind.AUTO, false, 0,
            AfXdpConfig.DEFAULT_RING_SIZE), io.afXdp());
        assertEquals(IoFallbackKind.NONE, io.fallback());
    }

    @Test
    void shouldReadEveryAfXdpSetting() throws ConfigException {
        IoConfig io = parse("{\"backend\": \"af_xdp\", \"fallback\": \"udp\", \"af_xdp\": {\"interfaceName\": \"eth1\","
            + " \"vtepAddress\": \"10.255.0.9\", \"xdpMode\": \"generic\", \"copyMode\": \"zero-copy\", \"busyPoll\": true,"
            + " \"firstQueue\": 2, \"ringSize\": 512}}").io();
        assertEquals(new AfXdpConfig("eth1", "10.255.0.9", XdpModeKind.GENERIC, XdpCopyModeKind.ZERO_COPY, true, 2, 512),
            io.afXdp());
        assertEquals(IoFallbackKind.UDP, io.fallback());
    }

    @Test
    void shouldRequireTheInterfaceWithAfXdp() {
        assertEquals(List.of("io.af_xdp.interfaceName: required when io.backend is af_xdp"),
            errors("{\"backend\": \"af_xdp\"}"));
    }

    @Test
    void shouldRejectAnInterfaceNameLongerThanTheKernelAllows() {
        assertEquals(List.of("io.af_xdp.interfaceName: must be an interface name of 1-15 characters without '/' or spaces:"
            + " \"a-very-long-interface\""), errors("{\"backend\": \"af_xdp\", \"af_xdp\": {\"interfaceName\": \"a-very-long-interface\"}}"));
    }

    @Test
    void shouldRejectARingSizeThatIsNotAPowerOfTwo() {
        assertEquals(List.of("io.af_xdp.ringSize: must be a power of two (was 1000)"),
            errors("{\"backend\": \"af_xdp\", \"af_xdp\": {\"interfaceName\": \"eth1\", \"ringSize\": 1000}}"));
    }

    @Test
    void shouldRejectAMulticastVtepAddress() {
        assertEquals(List.of("io.af_xdp.vtepAddress: must be a unicast IPv4 address (not 0.0.0.0, 127/8 or 224/3):"
            + " \"239.1.1.1\""), errors("{\"backend\": \"af_xdp\", \"af_xdp\": {\"interfaceName\": \"eth1\","
            + " \"vtepAddress\": \"239.1.1.1\"}}"));
    }

    @Test
    void shouldRejectAFallbackForABackendThatHasNone() {
        assertEquals(List.of("io.fallback: only applies to io.backend af_xdp (was udp)"),
            errors("{\"backend\": \"udp\", \"fallback\": \"udp\"}"));
    }

    @Test
    void shouldListTheAllowedXdpModes() {
        assertEquals(List.of("io.af_xdp.xdpMode: must be one of [auto, native, generic] (was driver)"),
            errors("{\"backend\": \"af_xdp\", \"af_xdp\": {\"interfaceName\": \"eth1\", \"xdpMode\": \"driver\"}}"));
    }
}
