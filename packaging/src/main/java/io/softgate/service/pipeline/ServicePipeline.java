package io.softgate.service.pipeline;

import io.softgate.core.pipeline.PipelineDefinition;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.evpn.forwarding.compiler.ForwardingCompiler;
import io.softgate.evpn.forwarding.compiler.ForwardingConfigException;
import io.softgate.evpn.forwarding.ForwardingFeature;
import io.softgate.evpn.forwarding.ForwardingPipeline;
import io.softgate.evpn.forwarding.model.RouteIntent;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import io.softgate.service.config.ConfigError;
import io.softgate.service.config.ConfigException;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.features.ServiceFeatures;
import java.util.ArrayList;
import java.util.List;

/**
 * The packet graph and the configuration compiler of the service: which stages run, and how a
 * configuration becomes the tables of a {@link ConfigSnapshot} those stages read. This is the one
 * place where feature modules are plugged into the service: the ACL, load-balancer and NAT stages of
 * {@link ServiceFeatures} go on the forwarding graph's feature edge (decap -> [features] -> route).
 *
 * <p>Threading: stateless; called by the control thread.
 */
public final class ServicePipeline {
    private ServicePipeline() {
    }

    /** The stage graph every worker instantiates: vxlan-decap -> vrf-route -> vxlan-encap -> transmit. */
    public static PipelineDefinition definition(SoftgateConfig config) {
        return ForwardingPipeline.definition();
    }

    /** The stage graph with the feature stages of {@code features} between decap and route. */
    public static PipelineDefinition definition(SoftgateConfig config, ServiceFeatures features) {
        ForwardingFeature feature = features.forwardingFeature();
        return feature == null ? definition(config) : ForwardingPipeline.builder().feature(feature).build();
    }

    /**
     * As {@link #compile(SoftgateConfig)}, plus the {@code nat}, {@code loadBalancer} and {@code acl}
     * sections compiled into {@code features}' tables (against the VRF indices just compiled).
     */
    public static ConfigSnapshot.Builder compile(SoftgateConfig config, ServiceFeatures features) throws ConfigException {
        ForwardingTables forwarding = compileForwarding(config, List.of());
        ConfigSnapshot.Builder builder = ConfigSnapshot.builder().with(ForwardingTables.SLOT, forwarding);
        List<ConfigError> errors = new ArrayList<>();
        features.compileInto(builder, forwarding, errors);
        if (!errors.isEmpty()) {
            throw new ConfigException("(feature compilers)", errors);
        }
        return builder;
    }

    /**
     * Compiles {@code config} into the tables of the next snapshot; a configuration the compilers
     * reject is a {@link ConfigException} naming the field of the configuration file.
     */
    public static ConfigSnapshot.Builder compile(SoftgateConfig config) throws ConfigException {
        return ConfigSnapshot.builder().with(ForwardingTables.SLOT, compileForwarding(config, List.of()));
    }

    /**
     * The forwarding tables of {@code config} with the routes BGP EVPN has learned appended to the
     * static ones (a static route wins over a learned one for the same VRF and prefix). The EVPN
     * service publishes them into the current snapshot, keeping the feature tables.
     */
    public static ForwardingTables compileForwarding(SoftgateConfig config, List<RouteIntent> learnedRoutes)
        throws ConfigException {
        ForwardingIntents.Translation translation = ForwardingIntents.translate(config);
        ForwardingTables tables;
        try {
            tables = new ForwardingCompiler().compile(translation.intent().withAdditionalRoutes(learnedRoutes));
        } catch (ForwardingConfigException e) {
            String path = translation.configPath(e.field());
            String message = e.getMessage().startsWith(e.field() + ": ")
                ? e.getMessage().substring(e.field().length() + 2) : e.getMessage();
            throw new ConfigException("(forwarding compiler)", List.of(new ConfigError(path, message)));
        }
        return tables;
    }
}
