package io.softgate.service.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private static final String NODE = "\"node\": {\"name\": \"sg1\", \"routerMac\": \"02:00:00:00:00:01\", \"vtepAddress\": \"10.255.0.1\"}";

    private static SoftgateConfig parse(String json) throws ConfigException {
        return ConfigLoader.parse("test.json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> errors(String json) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(json));
        return e.errors().stream().map(ConfigError::toString).toList();
    }

    private static String vrfs(String... vrfs) {
        return "{" + NODE + ", \"forwarding\": {\"vrfs\": [" + String.join(", ", vrfs) + "]}}";
    }

    @Test
    void shouldLoadTheBundledDefaultConfiguration() throws ConfigException {
        Path bundled = Path.of(System.getProperty("basedir", ".")).resolve("src/dist/etc/softgate.json");
        ConfigLoader.LoadedConfig loaded = ConfigLoader.load(bundled);
        assertEquals(IoBackendKind.UDP, loaded.config().io().backend());
        assertEquals("127.0.0.1", loaded.config().io().udp().bindAddress());
        assertTrue(loaded.config().io().udp().port() > 1023, "the bundled port must not need privileges");
    }

    @Test
    void shouldApplyDefaultsToOmittedSections() throws ConfigException {
        SoftgateConfig config = parse("{" + NODE + "}");
        assertEquals(1, config.dataplane().workers());
        assertEquals(64, config.dataplane().batchSize());
        assertEquals(IdleStrategyKind.BACKOFF, config.dataplane().idleStrategy());
        assertEquals(10, config.dataplane().statsIntervalSeconds());
        assertEquals(IoBackendKind.UDP, config.io().backend());
        assertEquals(4789, config.io().udp().port());
        assertEquals(List.of(), config.forwarding().vrfs());
        assertEquals(false, config.bgp().enabled());
        assertEquals(SoftgateConfig.DEFAULT_STATE_DIR, config.stateDir());
    }

    @Test
    void shouldWarmUpTheApiUnlessTurnedOff() throws ConfigException {
        SoftgateConfig omitted = parse("{" + NODE + ", \"api\": {\"tokensFile\": \"tokens\"}}");
        SoftgateConfig off = parse("{" + NODE + ", \"api\": {\"tokensFile\": \"tokens\", \"warmUp\": false}}");
        assertEquals(true, omitted.api().warmUp());
        assertEquals(false, off.api().warmUp());
    }

    @Test
    void shouldServePlainHttpOnlyOnLoopbackUnlessToldOtherwise() throws ConfigException {
        assertEquals("127.0.0.2", parse("{" + NODE + ", \"api\": {\"listenAddress\": \"127.0.0.2\", "
            + "\"tokensFile\": \"tokens\"}}").api().listenAddress());
        assertEquals(List.of("api.listenAddress: plain HTTP is served on loopback only: give api.tlsCertificate and "
                + "api.tlsPrivateKey to listen on 192.0.2.10, or set api.plainHttp to true"),
            errors("{" + NODE + ", \"api\": {\"listenAddress\": \"192.0.2.10\", \"tokensFile\": \"tokens\"}}"));
        SoftgateConfig told = parse("{" + NODE + ", \"api\": {\"listenAddress\": \"192.0.2.10\", "
            + "\"tokensFile\": \"tokens\", \"plainHttp\": true}}");
        assertEquals(true, told.api().plainHttp());
        SoftgateConfig tls = parse("{" + NODE + ", \"api\": {\"listenAddress\": \"0.0.0.0\", "
            + "\"tokensFile\": \"tokens\", \"tlsCertificate\": \"api.crt\", \"tlsPrivateKey\": \"api.key\"}}");
        assertEquals(false, tls.api().plainHttp());
    }

    @Test
    void shouldReadUdpBusyPollAndLeaveItOffWhenOmitted() throws ConfigException {
        SoftgateConfig on = parse("{" + NODE + ", \"io\": {\"udp\": {\"busyPoll\": true}}}");
        SoftgateConfig omitted = parse("{" + NODE + ", \"io\": {\"udp\": {\"port\": 4790}}}");
        assertEquals(true, on.io().udp().busyPoll());
        assertEquals(false, omitted.io().udp().busyPoll());
    }

    @Test
    void shouldNameTheFieldPathOfAnOutOfRangeL3vni() {
        List<String> errors = errors(vrfs("{\"name\": \"a\", \"l3vni\": 5001}", "{\"name\": \"b\", \"l3vni\": 16777216}"));
        assertEquals(List.of("forwarding.vrfs[1].l3vni: must be 1..16777215 (was 16777216)"), errors);
    }

    @Test
    void shouldRejectAnUnknownFieldNamingItsPath() {
        List<String> errors = errors("{" + NODE + ", \"dataplane\": {\"wrokers\": 2}}");
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).startsWith("dataplane.wrokers: unknown field"), errors.get(0));
        assertTrue(errors.get(0).contains("workers"), "lists the known fields: " + errors.get(0));
    }

    @Test
    void shouldRejectAnUnknownTopLevelField() {
        assertTrue(errors("{" + NODE + ", \"extra\": 1}").get(0).startsWith("extra: unknown field"));
    }

    @Test
    void shouldRejectANumberWrittenAsAString() {
        List<String> errors = errors("{" + NODE + ", \"dataplane\": {\"workers\": \"2\"}}");
        assertTrue(errors.get(0).startsWith("dataplane.workers: wrong type: expected a number"), errors.get(0));
    }

    @Test
    void shouldRejectANumberTooLargeForItsField() {
        List<String> errors = errors("{" + NODE + ", \"dataplane\": {\"batchSize\": 99999999999}}");
        assertTrue(errors.get(0).startsWith("dataplane.batchSize: "), errors.get(0));
    }

    @Test
    void shouldListTheAllowedIdleStrategies() {
        List<String> errors = errors("{" + NODE + ", \"dataplane\": {\"idleStrategy\": \"sleepy\"}}");
        assertEquals("dataplane.idleStrategy: must be one of [backoff, busy-spin] (was sleepy)", errors.get(0));
    }

    @Test
    void shouldRejectDuplicateKeys() {
        assertTrue(errors("{" + NODE + ", \"stateDir\": \"a\", \"stateDir\": \"b\"}").get(0).contains("Duplicate field"));
    }

    @Test
    void shouldRejectMalformedJsonWithItsLocation() {
        String error = errors("{" + NODE + ",\n \"dataplane\": {\"workers\": }}").get(0);
        assertTrue(error.startsWith("dataplane: malformed JSON: Unexpected character"), error);
        assertTrue(error.contains("line 2"), error);
    }

    @Test
    void shouldRejectTrailingContent() {
        assertTrue(errors("{" + NODE + "} {}").get(0).contains("Trailing token"));
    }

    @Test
    void shouldRejectAnEmptyDocument() {
        assertEquals(List.of("empty document; expected a JSON object"), errors(""));
    }

    @Test
    void shouldRequireTheNodeSection() {
        assertEquals(List.of("node: required"), errors("{}"));
    }

    @Test
    void shouldReportEveryProblemAtOnce() {
        List<String> errors = errors("{\"node\": {\"name\": \"-bad\", \"routerMac\": \"01:00:5e:00:00:01\", \"vtepAddress\": \"10.0.0\"},"
            + " \"dataplane\": {\"workers\": 0, \"batchSize\": 64, \"framesPerWorker\": 100}}");
        assertEquals(5, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("node.name: "), errors.toString());
        assertTrue(errors.get(1).startsWith("node.routerMac: must be a unicast MAC"), errors.toString());
        assertTrue(errors.get(2).startsWith("node.vtepAddress: must be an IPv4 address"), errors.toString());
        assertEquals("dataplane.workers: must be 1..64 (was 0)", errors.get(3));
        assertEquals("dataplane.framesPerWorker: must be 128..524288 (was 100)", errors.get(4));
    }

    @Test
    void shouldRejectDuplicateVrfNamesAndL3vnis() {
        List<String> errors = errors(vrfs("{\"name\": \"a\", \"l3vni\": 5001}", "{\"name\": \"a\", \"l3vni\": 5001}"));
        assertEquals(List.of("forwarding.vrfs[1].name: duplicate VRF name a",
            "forwarding.vrfs[1].l3vni: L3VNI 5001 already used by forwarding.vrfs[0]"), errors);
    }

    @Test
    void shouldRejectAPrefixWithHostBitsSet() {
        List<String> errors = errors(vrfs("{\"name\": \"a\", \"l3vni\": 5001, \"routes\": [{\"prefix\": \"10.1.2.1/24\","
            + " \"nextHopVtep\": \"10.255.0.12\", \"nextHopRouterMac\": \"02:00:00:00:00:12\"}]}"));
        assertEquals(List.of("forwarding.vrfs[0].routes[0].prefix: host bits set beyond /24: 10.1.2.1/24"), errors);
    }

    @Test
    void shouldAcceptIpv6Prefixes() throws ConfigException {
        SoftgateConfig config = parse(vrfs("{\"name\": \"a\", \"l3vni\": 5001, \"routes\": [{\"prefix\": \"2001:db8:1::/48\","
            + " \"nextHopVtep\": \"10.255.0.12\", \"nextHopRouterMac\": \"02:00:00:00:00:12\"}]}"));
        assertEquals("2001:db8:1::/48", config.forwarding().vrfs().get(0).routes().get(0).prefix());
    }

    @Test
    void shouldRejectTwoRouterMacsForOneVtepInAVrf() {
        List<String> errors = errors(vrfs("{\"name\": \"a\", \"l3vni\": 5001, \"routes\": ["
            + "{\"prefix\": \"10.1.1.0/24\", \"nextHopVtep\": \"10.255.0.12\", \"nextHopRouterMac\": \"02:00:00:00:00:12\"},"
            + "{\"prefix\": \"10.1.2.0/24\", \"nextHopVtep\": \"10.255.0.12\", \"nextHopRouterMac\": \"02:00:00:00:00:13\"}]}"));
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).startsWith("forwarding.vrfs[0].routes[1].nextHopRouterMac: VTEP 10.255.0.12 already has"),
            errors.get(0));
    }

    @Test
    void shouldRejectAPublicVrfThatIsNotConfigured() {
        List<String> errors = errors("{\"node\": {\"name\": \"sg1\", \"routerMac\": \"02:00:00:00:00:01\","
            + " \"vtepAddress\": \"10.255.0.1\", \"publicVrf\": \"internet\"}}");
        assertEquals(List.of("node.publicVrf: names no VRF in forwarding.vrfs: internet"), errors);
    }

    @Test
    void shouldRejectANullListEntry() {
        assertEquals(List.of("forwarding.vrfs[0]: required (null entry)"), errors(vrfs("null")));
    }

    @Test
    void shouldRequireAsnAndRouterIdWhenBgpIsEnabled() {
        assertEquals(List.of("bgp.asn: required", "bgp.routerId: required"), errors("{" + NODE + ", \"bgp\": {\"enabled\": true}}"));
    }

    @Test
    void shouldRequireCaptureFilesForThePcapBackend() {
        assertEquals(List.of("io.pcap.input: required when io.backend is pcap", "io.pcap.output: required when io.backend is pcap"),
            errors("{" + NODE + ", \"io\": {\"backend\": \"pcap\"}}"));
    }

    @Test
    void shouldResolveRelativePathsAgainstTheConfigurationDirectory() {
        ConfigLoader.LoadedConfig loaded = new ConfigLoader.LoadedConfig(null, Path.of("/opt/softgate/etc/softgate.json"));
        assertEquals(Path.of("/opt/softgate/var"), loaded.resolve("../var"));
        assertEquals(Path.of("/var/lib/softgate"), loaded.resolve("/var/lib/softgate"));
    }

    @Test
    void shouldRejectALoopbackVtepAddress() {
        List<String> errors = errors("{\"node\": {\"name\": \"sg1\", \"routerMac\": \"02:00:00:00:00:01\", \"vtepAddress\": \"127.0.0.1\"}}");
        assertEquals(List.of("node.vtepAddress: must be a unicast IPv4 address (not 0.0.0.0, 127/8 or 224/3): \"127.0.0.1\""), errors);
    }

    @Test
    void shouldRejectAnUnderlayMtuThatLeavesLessThanTheIpv6MinimumInside() {
        List<String> errors = errors("{\"node\": {\"name\": \"sg1\", \"routerMac\": \"02:00:00:00:00:01\", \"vtepAddress\": \"10.0.0.1\","
            + " \"underlayMtuBytes\": 1300}}");
        assertEquals(List.of("node.underlayMtuBytes: must be 1330..9216 (was 1300)"), errors);
    }

    @Test
    void shouldDefaultTheUnderlayMacsToTheRouterMac() throws ConfigException {
        NodeConfig node = parse("{" + NODE + "}").node();
        assertEquals("02:00:00:00:00:01", node.underlayMac());
        assertEquals("02:00:00:00:00:01", node.underlayNextHopMac());
    }

    @Test
    void shouldRejectAMulticastIpv6Gateway() {
        assertEquals(List.of("forwarding.vrfs[0].gatewayIpv6: must be a unicast IPv6 address: \"ff02::1\""),
            errors(vrfs("{\"name\": \"a\", \"l3vni\": 5001, \"gatewayIpv6\": \"ff02::1\"}")));
    }
}
