package io.softgate.service.intent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.nat.compile.ExternalAddressRegistry;
import io.softgate.nat.compile.NatRuleCompiler;
import io.softgate.nat.config.NatConfig;
import io.softgate.nat.config.FilteringMode;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.config.PortAllocationMode;
import io.softgate.service.config.ConfigError;
import io.softgate.service.config.ConfigLoader;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.features.ServiceFeatures;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The NAT settings the controller's rules are compiled with when the adapter has no NAT model of
 * the file (an adapter over the file alone, as the start-up warm-up's): the node-wide choices of
 * the file's {@code nat} section, every one of them, as the service builds them from the same file.
 */
class NatIntentAdapterTest {
    private static final String CONFIG = """
        {"node": {"name": "sg1", "routerMac": "02:5f:00:00:00:01", "vtepAddress": "10.255.0.1", "publicVrf": "public"},
         "forwarding": {"vrfs": [{"name": "public", "l3vni": 9000}]},
         %s
         "io": {"backend": "memory"}}
        """;
    private static final CompiledIntent INTENT = new CompiledIntent(1,
        List.of(new CompiledIntent.Vrf(1, "vpc1", false, List.of(5001), List.of(IpPrefix.parse("10.1.1.1/24")), List.of(),
            List.of())),
        List.of(new CompiledIntent.NatRule(2, "snat1", "vpc1", CompiledIntent.NatAction.SNAT, CompiledIntent.ANY_PROTOCOL,
            IpPrefix.parse("10.1.0.0/16"), 0, 65535, IpPrefix.parse("0.0.0.0/0"), 0, 65535, IpPrefix.parse("203.0.113.10/32"),
            0, true)),
        List.of(), List.of(), List.of(IpPrefix.parse("203.0.113.10/32")));

    private static SoftgateConfig config(String natSection) throws Exception {
        return ConfigLoader.parse("test", CONFIG.formatted(natSection).getBytes(StandardCharsets.UTF_8));
    }

    /** The settings the adapter compiles {@link #INTENT} with over the file {@code natSection}. */
    private static NatSettings compiledSettings(String natSection) throws Exception {
        SoftgateConfig config = config(natSection);
        NatRuleCompiler compiler = new NatRuleCompiler(new ExternalAddressRegistry(16));
        List<NatConfig> compiled = new ArrayList<>();
        NatIntentAdapter adapter = new NatIntentAdapter(config, nat -> {
            compiled.add(nat);
            return compiler.compile(nat);
        });
        assertEquals(List.of(), adapter.contribute(INTENT, ConfigSnapshot.builder()));
        assertEquals(1, compiled.size());
        return compiled.get(0).settings();
    }

    @Test
    void shouldCompileTheApiRulesWithTheFilesPerSubscriberSessionLimit() throws Exception {
        NatSettings settings = compiledSettings("""
            "nat": {"maxSessions": 1024, "sessionsPerSubscriberLimit": 300, "icmpErrorsPerSecond": 7,
                    "unsolicitedSynPortUnreachable": false},""");

        assertEquals(300, settings.sessionsPerSubscriberLimit());
        assertEquals(7, settings.icmpErrorsPerSecond());
        assertEquals(false, settings.unsolicitedSynPortUnreachable());
    }

    @Test
    void shouldCompileTheApiRulesWithTheModuleDefaultsWithoutANatSection() throws Exception {
        assertEquals(NatSettings.defaults(), compiledSettings(""));
    }

    @Test
    void shouldCompileTheApiRulesWithTheSettingsTheServiceBuildsFromTheSameFile() throws Exception {
        // Every node-wide NAT setting of the section, none at its default.
        String natSection = """
            "nat": {"maxSessions": 1024, "filtering": "address-dependent", "portRangeFirst": 20000, "portRangeLast": 29999,
                    "portBlockSize": 64, "portsPerSubscriberLimit": 512, "udpTimeoutSeconds": 600, "tcpMssClamp": 1360,
                    "icmpErrorsPerSecond": 7, "unsolicitedSynPortUnreachable": false, "sessionsPerSubscriberLimit": 300},""";
        SoftgateConfig config = config(natSection);
        NatSettings service;
        try (ServiceFeatures features = ServiceFeatures.create(config)) {
            List<ConfigError> errors = new ArrayList<>();
            // The service's path: the file's NAT model, which the composer hands the adapter.
            service = features.fileModels(config, 0, errors).nat().settings();
            assertEquals(List.of(), errors);
        }

        NatSettings overTheFileAlone = compiledSettings(natSection);

        assertEquals(service, overTheFileAlone);
        assertEquals(FilteringMode.ADDRESS_DEPENDENT, overTheFileAlone.filtering());
        assertEquals(PortAllocationMode.PORT_BLOCKS, overTheFileAlone.portAllocation());
        assertEquals(64, overTheFileAlone.portBlockSize());
        assertEquals(20000, overTheFileAlone.portRangeFirst());
        assertEquals(TimeUnit.SECONDS.toNanos(600), overTheFileAlone.udpTimeoutNs());
        assertEquals(1360, overTheFileAlone.tcpMssClamp());
    }

    @Test
    void shouldRefuseAnUnknownFilteringModeOverTheFileAloneNamingTheField() throws Exception {
        NatIntentAdapter adapter = NatIntentAdapter.standalone(config("\"nat\": {\"maxSessions\": 1024, \"filtering\": \"symmetric\"},"));

        List<IntentError> errors = adapter.contribute(INTENT, ConfigSnapshot.builder());

        assertEquals(1, errors.size(), errors.toString());
        assertEquals("nat.filtering", errors.get(0).field());
    }
}
