package io.softgate.service.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.acl.classify.AclTables;
import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.core.pipeline.StageFactory;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.core.snapshot.WorkerEpochs;
import io.softgate.lb.compile.LoadBalancerTables;
import io.softgate.nat.compile.NatTables;
import io.softgate.service.config.ConfigError;
import io.softgate.service.config.ConfigException;
import io.softgate.service.config.ConfigLoader;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.pipeline.ServicePipeline;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureConfigTest {
    private static final String NAT = """
        "nat": {"maxSessions": 1024, "rules": [
          {"name": "blue-snat", "vpc": "blue", "action": "SNAT", "sourceAddress": "10.1.1.0/24", "snatToIP": "198.51.100.1"},
          {"name": "blue-web", "vpc": "blue", "action": "DNAT", "protocol": "tcp", "destinationAddress": "198.51.100.10",
           "destinationPort": "8080", "dnatToIP": "10.1.1.10", "dnatToPort": 8000}]}""";
    private static final String ACL = """
        "acl": {"flowCapacity": 1024, "defaultActions": {"blue": "deny"}, "rules": [
          {"name": "web", "vpc": "blue", "priority": 10, "action": "permit", "proto": "tcp",
           "dstPrefix": "10.1.1.10/32", "dstPortFrom": 8000, "dstPortTo": 8000, "established": true}]}""";
    private static final String LB = """
        "loadBalancer": {"maxConnections": 1024, "probeThreads": 1, "services": [
          {"name": "web", "protocol": "tcp", "vip": "198.51.100.100", "port": 80, "vpc": "blue",
           "backends": [{"address": "10.1.1.11", "port": 8000}, {"address": "10.1.1.12", "port": 8000, "weight": 2}]}]}""";

    @TempDir
    Path stateDir;

    private static SoftgateConfig parse(String featureSections) throws ConfigException {
        return parse(featureSections, "sg");
    }

    private static SoftgateConfig parse(String featureSections, String nodeName) throws ConfigException {
        String json = """
            {
              "node": {"name": "%s", "routerMac": "02:5f:00:00:00:01", "vtepAddress": "10.255.0.1", "publicVrf": "public"},
              "forwarding": {"vrfs": [
                {"name": "blue", "l3vni": 5001, "routes": []},
                {"name": "public", "l3vni": 5900, "routes": []}]},
              "publicAddressRanges": ["198.51.100.0/24"]%s
            }
            """.formatted(nodeName, featureSections.isEmpty() ? "" : ",\n" + featureSections);
        return ConfigLoader.parse("test.json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static ConfigSnapshot compile(SoftgateConfig config, ServiceFeatures features) throws ConfigException {
        return new SnapshotPublisher(new WorkerEpochs(1)).publish(ServicePipeline.compile(config, features));
    }

    private static List<ConfigError> errorsOf(String featureSections) throws ConfigException {
        SoftgateConfig config = parse(featureSections);
        try (ServiceFeatures features = ServiceFeatures.create(config)) {
            return assertThrows(ConfigException.class, () -> compile(config, features)).errors();
        }
    }

    private static void assertError(List<ConfigError> errors, String path) {
        assertTrue(errors.stream().anyMatch(error -> error.path().equals(path)), "no error at " + path + ": " + errors);
    }

    private static List<String> stageNames(ServiceFeatures features, SoftgateConfig config) {
        List<String> names = new ArrayList<>();
        for (StageFactory factory : ServicePipeline.definition(config, features).stages()) {
            names.add(factory.create(0).name());
        }
        return names;
    }

    @Test
    void shouldCompileTheNatAclAndLoadBalancerSectionsIntoOneSnapshot() throws Exception {
        SoftgateConfig config = parse(NAT + ",\n" + ACL + ",\n" + LB);
        try (ServiceFeatures features = ServiceFeatures.create(config)) {
            ConfigSnapshot snapshot = compile(config, features);

            NatTables nat = snapshot.get(NatTables.SLOT);
            assertNotNull(nat, "NAT tables");
            assertNotNull(nat.external(Ipv4Flyweight.parse("198.51.100.1")), "SNAT address owned by the NAT");
            assertNotNull(snapshot.get(AclTables.SLOT), "ACL tables");
            assertNotNull(snapshot.get(LoadBalancerTables.SLOT), "LB tables");
        }
    }

    @Test
    void shouldRunTheFeaturesInDirectionOrderBetweenDecapAndRoute() throws Exception {
        SoftgateConfig config = parse(NAT + ",\n" + ACL + ",\n" + LB);
        try (ServiceFeatures features = ServiceFeatures.create(config)) {
            List<String> names = stageNames(features, config);
            assertEquals(List.of("vxlan-decap", "feature-direction", "nat44-in2out", "lb-reply", "acl-egress",
                "acl-ingress", "nat44-out2in", "lb-vip", "vrf-route", "vxlan-encap"), names);
            List<String> direction = ServicePipeline.definition(config, features).stages().get(1).create(0).nextStages();
            assertEquals(List.of("acl-egress", "lb-vip"), direction, "edge 0 = from a VPC, edge 1 = from outside");
        }
    }

    @Test
    void shouldPutEveryFeatureStageInThePipelineEvenWithoutItsSection() throws Exception {
        // An API-only node (the packaged default: no feature section) gets NAT, LB and ACL from the
        // controller, so their stages must be there from the start.
        List<String> all = List.of("vxlan-decap", "feature-direction", "nat44-in2out", "lb-reply", "acl-egress",
            "acl-ingress", "nat44-out2in", "lb-vip", "vrf-route", "vxlan-encap");
        SoftgateConfig none = parse("");
        try (ServiceFeatures features = ServiceFeatures.create(none)) {
            assertEquals(all, stageNames(features, none));
        }
        SoftgateConfig aclOnly = parse(ACL);
        try (ServiceFeatures features = ServiceFeatures.create(aclOnly)) {
            assertEquals(all, stageNames(features, aclOnly));
        }
    }

    @Test
    void shouldNameTheNatRuleFieldTheNatCompilerRejects() throws Exception {
        List<ConfigError> errors = errorsOf(NAT.replace("\"snatToIP\": \"198.51.100.1\"", "\"snatToIP\": \"198.51.100\""));
        assertError(errors, "nat.rules[0].snatToIP");
    }

    @Test
    void shouldTakeTheNatIcmpErrorRateAndTheHeldSynAnswerFromTheNatSection() throws Exception {
        SoftgateConfig config = parse(NAT.replace("\"maxSessions\": 1024,",
            "\"maxSessions\": 1024, \"icmpErrorsPerSecond\": 7, \"unsolicitedSynPortUnreachable\": false,"));
        try (ServiceFeatures features = ServiceFeatures.create(config)) {
            NatTables nat = compile(config, features).get(NatTables.SLOT);
            assertEquals(7, nat.settings().icmpErrorsPerSecond());
            assertEquals(false, nat.settings().unsolicitedSynPortUnreachable());
        }
    }

    @Test
    void shouldTakeTheNatPerSubscriberSessionLimitFromTheNatSection() throws Exception {
        SoftgateConfig config = parse(NAT.replace("\"maxSessions\": 1024,",
            "\"maxSessions\": 1024, \"sessionsPerSubscriberLimit\": 300,"));
        try (ServiceFeatures features = ServiceFeatures.create(config)) {
            NatTables nat = compile(config, features).get(NatTables.SLOT);
            assertEquals(300, nat.settings().sessionsPerSubscriberLimit());
        }
        assertError(errorsOf(NAT.replace("\"maxSessions\": 1024,", "\"maxSessions\": 1024, \"sessionsPerSubscriberLimit\": -1,")),
            "nat.sessionsPerSubscriberLimit");
    }

    @Test
    void shouldRefuseAUdpTimeoutTheSessionDeadlineCannotHoldWithItsPath() throws Exception {
        // 2,251,799 s is one second beyond SessionKeys.MAX_TIMEOUT_NS (about 26 days).
        assertError(errorsOf(NAT.replace("\"maxSessions\": 1024,", "\"maxSessions\": 1024, \"udpTimeoutSeconds\": 2251799,")),
            "nat.udpTimeoutSeconds");
    }

    @Test
    void shouldRefuseANegativeNatIcmpErrorRateWithItsPath() throws Exception {
        assertError(errorsOf(NAT.replace("\"maxSessions\": 1024,", "\"maxSessions\": 1024, \"icmpErrorsPerSecond\": -1,")),
            "nat.icmpErrorsPerSecond");
    }

    @Test
    void shouldNameTheAclFieldOfAPrefixWithHostBits() throws Exception {
        assertError(errorsOf(ACL.replace("10.1.1.10/32", "10.1.1.10/24")), "acl.rules[0].dstPrefix");
    }

    @Test
    void shouldRefuseAclRulesForThePublicVrf() throws Exception {
        assertError(errorsOf(ACL.replace("\"vpc\": \"blue\"", "\"vpc\": \"public\"")), "acl.rules[0].vpc");
    }

    @Test
    void shouldNameTheLoadBalancerFieldItsCompilerRejects() throws Exception {
        List<ConfigError> errors = errorsOf(LB.replace("\"port\": 8000, \"weight\": 2", "\"port\": 70000, \"weight\": 2"));
        assertTrue(errors.stream().anyMatch(error -> error.path().startsWith("loadBalancer.services[0].backends[1]")),
            errors.toString());
    }

    @Test
    void shouldRefuseAVipOutsideThePublicAddressRanges() throws Exception {
        assertError(errorsOf(LB.replace("198.51.100.100", "192.0.2.100")), "publicAddressRanges");
    }

    @Test
    void shouldRefuseAMaglevBuildParallelismOutsideItsBounds() throws Exception {
        assertError(errorsOf(LB.replace("\"probeThreads\": 1,", "\"probeThreads\": 1, \"maglevBuildThreads\": 0,")),
            "loadBalancer.maglevBuildThreads");
        assertError(errorsOf(LB.replace("\"probeThreads\": 1,", "\"probeThreads\": 1, \"maglevBuildThreads\": 65,")),
            "loadBalancer.maglevBuildThreads");
    }

    @Test
    void shouldRefuseAnUnknownFieldInAFeatureSectionWithItsPath() {
        ConfigException e = assertThrows(ConfigException.class,
            () -> parse(ACL.replace("\"established\": true", "\"establish\": true")));
        assertTrue(e.getMessage().contains("acl.rules[0].establish"), e.getMessage());
    }

    @Test
    void shouldPublishNewAclTablesOnReloadAndRefuseANodeChange() throws Exception {
        SoftgateConfig config = parse(ACL);
        try (ServiceFeatures features = ServiceFeatures.create(config)) {
            SnapshotPublisher publisher = new SnapshotPublisher(new WorkerEpochs(1));
            ConfigSnapshot first = publisher.publish(ServicePipeline.compile(config, features));
            features.start(publisher, stateDir);

            assertEquals(List.of(), features.reload(parse(ACL.replace("\"deny\"", "\"permit\""))));
            AclTables reloaded = publisher.current().get(AclTables.SLOT);
            assertNotEquals(first.get(AclTables.SLOT), reloaded, "a reload publishes new ACL tables");

            List<ConfigError> refused = features.reload(parse(ACL, "renamed"));
            assertEquals(1, refused.size(), refused.toString());
            assertTrue(refused.get(0).message().contains("restart"), refused.toString());
            assertEquals(reloaded, publisher.current().get(AclTables.SLOT), "a refused reload changes nothing");
        }
    }
}
