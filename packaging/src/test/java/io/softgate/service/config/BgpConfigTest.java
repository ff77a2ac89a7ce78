package io.softgate.service.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.evpn.bgp.community.RouteTarget;
import io.softgate.evpn.bgp.config.BgpNodeSettings;
import io.softgate.evpn.bgp.config.GracefulRestartSettings;
import io.softgate.evpn.bgp.config.StopMode;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.service.evpn.BgpSettingsFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BgpConfigTest {
    private static final String NODE = "\"node\": {\"name\": \"sg1\", \"routerMac\": \"02:00:00:00:00:01\", "
        + "\"vtepAddress\": \"10.255.0.1\", \"publicVrf\": \"public\"}";
    private static final String VRFS = "\"forwarding\": {\"vrfs\": [{\"name\": \"public\", \"l3vni\": 5000}, "
        + "{\"name\": \"tenant\", \"l3vni\": 5001}]}";

    private static SoftgateConfig parse(String bgp) throws ConfigException {
        return ConfigLoader.parse("test.json", ("{" + NODE + ", " + VRFS + ", \"bgp\": " + bgp + "}")
            .getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> errors(String bgp) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(bgp));
        return e.errors().stream().map(ConfigError::toString).toList();
    }

    @Test
    void shouldBuildSpeakerSettingsFromTheFile() throws ConfigException {
        SoftgateConfig config = parse("""
            {"enabled": true, "asn": 65000, "routerId": "10.255.0.1", "listenAddress": "172.16.3.2", "listenPort": 1179,
             "neighbors": [{"address": "172.16.3.1", "remoteAsn": 65001, "localAddress": "172.16.3.2", "holdTimeSeconds": 9}],
             "vrfs": [{"name": "tenant", "routeDistinguisherNumber": 7, "exportRouteTargets": ["65001:77"]}],
             "gracefulRestart": {"restartTimeSeconds": 30}}""");

        BgpNodeSettings settings = BgpSettingsFactory.settings(config);

        assertEquals(1179, settings.listenPort());
        assertEquals(InetAddresses.parse("172.16.3.2"), settings.neighbors().get(0).localAddress());
        assertEquals(9, settings.neighbors().get(0).holdTimeSeconds());
        assertEquals(7, settings.vrfByL3Vni(5001).routeDistinguisherNumber());
        assertEquals(1, settings.vrfByL3Vni(5000).routeDistinguisherNumber());
        assertEquals(List.of(RouteTarget.parse("65001:77")), settings.vrfByL3Vni(5001).effectiveExportRouteTargets(65000));
        assertEquals(30, settings.gracefulRestart().restartTimeSeconds());
        assertTrue(settings.gracefulRestart().notification(), "RFC 8538 N bit on by default");
        assertEquals(InetAddresses.parseMac("02:00:00:00:00:01"), settings.routerMac());
    }

    @Test
    void shouldClearTheNotificationBitWhenConfiguredOff() throws ConfigException {
        GracefulRestartSettings restart = BgpSettingsFactory.settings(parse("""
            {"enabled": true, "asn": 65000, "routerId": "10.255.0.1",
             "neighbors": [{"address": "172.16.3.1", "remoteAsn": 65001}],
             "gracefulRestart": {"notification": false}}""")).gracefulRestart();

        assertTrue(restart.enabled());
        assertFalse(restart.notification());
    }

    @Test
    void shouldRideThroughAStopByDefault() throws ConfigException {
        GracefulRestartSettings restart = BgpSettingsFactory.settings(parse("""
            {"enabled": true, "asn": 65000, "routerId": "10.255.0.1",
             "neighbors": [{"address": "172.16.3.1", "remoteAsn": 65001}]}""")).gracefulRestart();

        assertEquals(StopMode.RESTART, restart.effectiveOnStop(), "RFC 4724 §4: the leaves keep our routes while we restart");
        assertFalse(restart.restarting(), "set from the state directory at start, never from the file");
    }

    @Test
    void shouldSendCeaseOnStopWhenOnStopIsShutdown() throws ConfigException {
        GracefulRestartSettings restart = BgpSettingsFactory.settings(parse("""
            {"enabled": true, "asn": 65000, "routerId": "10.255.0.1",
             "neighbors": [{"address": "172.16.3.1", "remoteAsn": 65001}],
             "gracefulRestart": {"onStop": "shutdown"}}""")).gracefulRestart();

        assertTrue(restart.enabled());
        assertEquals(StopMode.SHUTDOWN, restart.effectiveOnStop());
    }

    @Test
    void shouldShutDownOnStopWithoutGracefulRestart() throws ConfigException {
        GracefulRestartSettings restart = BgpSettingsFactory.settings(parse("""
            {"enabled": true, "asn": 65000, "routerId": "10.255.0.1",
             "neighbors": [{"address": "172.16.3.1", "remoteAsn": 65001}],
             "gracefulRestart": {"enabled": false, "onStop": "restart"}}""")).gracefulRestart();

        assertEquals(StopMode.SHUTDOWN, restart.effectiveOnStop(), "without the capability the leaves flush anyway");
    }

    @Test
    void shouldRefuseAnUnknownOnStop() {
        List<String> errors = errors("""
            {"enabled": true, "asn": 65000, "routerId": "10.255.0.1",
             "neighbors": [{"address": "172.16.3.1", "remoteAsn": 65001}],
             "gracefulRestart": {"onStop": "drain"}}""");
        assertEquals(1, errors.size(), errors::toString);
        assertTrue(errors.get(0).startsWith("bgp.gracefulRestart.onStop"), errors::toString);
    }

    @Test
    void shouldNameEveryBadBgpField() {
        assertEquals(List.of(
                "bgp.listenPort: must be 0..65535 (was 70000)",
                "bgp.neighbors[0].localAddress: must be an IPv4 address: \"x\"",
                "bgp.neighbors[0].holdTimeSeconds: must be 0 or 3..65535 (RFC 4271 §4.2) (was 2)",
                "bgp.vrfs[1].exportRouteTargets[0]: must be a route target like 65000:5001, 4200000000:7 or 10.0.0.1:7: \"65000\"",
                "bgp.gracefulRestart.restartTimeSeconds: must be 0..4095 (was 5000)",
                "bgp.publicAddresses[0]: must be an IPv4 or IPv6 address: \"vip\"",
                "bgp.underlayPrefixes[0]: host bits set beyond /24: 10.255.0.1/24"),
            errors("""
                {"enabled": true, "asn": 65000, "routerId": "10.255.0.1", "listenPort": 70000,
                 "neighbors": [{"address": "172.16.3.1", "remoteAsn": 65000, "localAddress": "x", "holdTimeSeconds": 2}],
                 "vrfs": [{"name": "api-vpc"}, {"name": "tenant", "exportRouteTargets": ["65000"]}],
                 "gracefulRestart": {"restartTimeSeconds": 5000},
                 "publicAddresses": ["vip"], "underlayPrefixes": ["10.255.0.1/24"]}"""));
    }
}
