package io.softgate.service.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The optional TUN uplink ({@code io.tun}) and routes out of it ({@code nextHopPort}). */
class TunUplinkConfigTest {
    private static final String NODE = "\"node\": {\"name\": \"sg1\", \"routerMac\": \"02:00:00:00:00:01\","
        + " \"vtepAddress\": \"10.255.0.1\", \"publicVrf\": \"public\"}";

    private static SoftgateConfig parse(String json) throws ConfigException {
        return ConfigLoader.parse("test.json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> errors(String json) {
        return assertThrows(ConfigException.class, () -> parse(json)).errors().stream().map(ConfigError::toString).toList();
    }

    private static String config(String node, String io, String route) {
        return "{" + node + ", \"io\": " + io + ", \"forwarding\": {\"vrfs\": [{\"name\": \"public\", \"l3vni\": 5001,"
            + " \"routes\": [" + route + "]}]}}";
    }

    @Test
    void shouldReadARouteOutOfTheTunUplink() throws ConfigException {
        SoftgateConfig config = parse(config(NODE, "{\"tun\": {\"interfaceName\": \"up0\"}}",
            "{\"prefix\": \"0.0.0.0/0\", \"nextHopPort\": \"tun\"}"));
        assertEquals("up0", config.io().tun().interfaceName());
        assertEquals(new StaticRouteConfig("0.0.0.0/0", null, null, "tun"), config.forwarding().vrfs().get(0).routes().get(0));
    }

    @Test
    void shouldRefuseARouteToTheTunUplinkWhenNoneIsConfigured() {
        assertEquals(List.of("forwarding.vrfs[0].routes[0].nextHopPort: names the TUN uplink, but io.tun is not configured"),
            errors(config(NODE, "{}", "{\"prefix\": \"0.0.0.0/0\", \"nextHopPort\": \"tun\"}")));
    }

    @Test
    void shouldRefuseAPortRouteThatAlsoNamesAVtep() {
        assertEquals(List.of("forwarding.vrfs[0].routes[0].nextHopPort: a route out of a port has no nextHopVtep or"
            + " nextHopRouterMac"), errors(config(NODE, "{\"tun\": {\"interfaceName\": \"up0\"}}",
            "{\"prefix\": \"0.0.0.0/0\", \"nextHopPort\": \"tun\", \"nextHopVtep\": \"10.255.0.2\"}")));
    }

    @Test
    void shouldRefuseAnUnknownPortName() {
        assertEquals(List.of("forwarding.vrfs[0].routes[0].nextHopPort: must be \"tun\" (was \"eth9\")"),
            errors(config(NODE, "{\"tun\": {\"interfaceName\": \"up0\"}}", "{\"prefix\": \"0.0.0.0/0\", \"nextHopPort\": \"eth9\"}")));
    }

    @Test
    void shouldRequireThePublicVrfWithATunUplink() {
        String node = "\"node\": {\"name\": \"sg1\", \"routerMac\": \"02:00:00:00:00:01\", \"vtepAddress\": \"10.255.0.1\"}";
        assertEquals(List.of("io.tun: needs node.publicVrf: packets from the TUN uplink are routed in that VRF"),
            errors(config(node, "{\"tun\": {\"interfaceName\": \"up0\"}}", "{\"prefix\": \"0.0.0.0/0\", \"nextHopPort\": \"tun\"}")));
    }
}
