package io.softgate.service.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The .deb's default configuration ({@code src/deb/etc/softgate.json}, installed as
 * {@code /etc/softgate/softgate.json}) is valid and fits the unit it runs under: softgate.service
 * grants no capability and lets the service write only /var/lib/softgate.
 */
class PackagedConfigurationTest {
    private static ConfigLoader.LoadedConfig packaged() throws ConfigException {
        return ConfigLoader.load(Path.of(System.getProperty("basedir", ".")).resolve("src/deb/etc/softgate.json"));
    }

    @Test
    void shouldKeepStateWhereTheUnitAllowsWrites() throws ConfigException {
        assertEquals("/var/lib/softgate", packaged().config().stateDir());
    }

    @Test
    void shouldNeedNoCapabilityToOpenPacketIo() throws ConfigException {
        SoftgateConfig config = packaged().config();
        assertEquals(IoBackendKind.UDP, config.io().backend(), "the native backends need capabilities the unit does not grant");
        assertTrue(config.io().udp().port() > 1023, "a port below 1024 needs CAP_NET_BIND_SERVICE, which the unit does not grant");
    }

    @Test
    void shouldRunTheFeatureStagesForTheControllerThoughTheFileHasNoFeatureSection() throws ConfigException {
        SoftgateConfig config = packaged().config();
        assertEquals(null, config.nat());
        assertEquals(null, config.acl());
        assertEquals(null, config.loadBalancer());
        try (io.softgate.service.features.ServiceFeatures features = io.softgate.service.features.ServiceFeatures.create(config)) {
            java.util.List<String> stages = new java.util.ArrayList<>();
            for (io.softgate.core.pipeline.StageFactory factory
                : io.softgate.service.pipeline.ServicePipeline.definition(config, features).stages()) {
                stages.add(factory.create(0).name());
            }
            assertTrue(stages.containsAll(java.util.List.of("feature-direction", "acl-egress", "lb-reply", "nat44-in2out",
                "lb-vip", "nat44-out2in", "acl-ingress")), "an API-only node gets NAT, LB and ACL from the controller: " + stages);
        }
    }

    @Test
    void shouldServeTheApiOnLoopbackWithTheTokenMadeAtInstall() throws ConfigException {
        ApiConfig api = packaged().config().api();
        assertTrue(api.enabled());
        assertEquals("127.0.0.1", api.listenAddress());
        assertTrue(api.port() > 1023, "a port below 1024 needs CAP_NET_BIND_SERVICE, which the unit does not grant");
        // postinst writes this file; the package ships no password or token.
        assertEquals("/etc/softgate/api-tokens", api.tokensFile());
        assertEquals(null, api.credentialsFile());
    }
}
