package io.softgate.service.pipeline;

import io.softgate.core.pipeline.PipelineDefinition;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.evpn.forwarding.compiler.ForwardingCompiler;
import io.softgate.evpn.forwarding.compiler.ForwardingConfigException;
import io.softgate.evpn.forwarding.ForwardingFeature;
import io.softgate.evpn.forwarding.ForwardingPipeline;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import io.softgate.service.config.ConfigError;
import io.softgate.service.config.ConfigException;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.evpn.StaticForwardingIntent;
import io.softgate.service.features.ServiceFeatures;
import java.util.ArrayList;
import java.util.List;

/**
 * The packet graph and the configuration compiler of the service: which stages run, and how a
 * configuration becomes the tables of a {@link ConfigSnapshot} those stages read. This is the one
 * place where feature modules are plugged into the service: the forwarding graph
 * ({@code vxlan-decap -> [features] -> vrf-route -> vxlan-encap}) with the ACL, load-balancer and
 * NAT stages of {@link ServiceFeatures} on its feature edge.
 *
 * <p>Threading: stateless; called by the control thread.
 */
public final class ServicePipeline {
    /** True once the EVPN forwarding stages are part of the pipeline. */
    public static final boolean FORWARDING_WIRED = true;

    private ServicePipeline() {
    }

    /** The stage graph every worker instantiates (no feature stages). */
    public static PipelineDefinition definition(SoftgateConfig config) {
        return ForwardingPipeline.definition();
    }

    /** The stage graph with the feature stages of {@code features} between decap and route. */
    public static PipelineDefinition definition(SoftgateConfig config, ServiceFeatures features) {
        ForwardingFeature feature = features.forwardingFeature();
        return feature == null ? ForwardingPipeline.definition() : ForwardingPipeline.builder().feature(feature).build();
    }

    /**
     * Compiles {@code config}'s forwarding into the tables of the next snapshot; a configuration the
     * compilers reject is a {@link ConfigException}. A null configuration (runtime tests) compiles
     * to an empty snapshot.
     */
    public static ConfigSnapshot.Builder compile(SoftgateConfig config) throws ConfigException {
        ConfigSnapshot.Builder builder = ConfigSnapshot.builder();
        if (config == null) {
            return builder;
        }
        compileForwarding(config, builder);
        return builder;
    }

    /** As {@link #compile(SoftgateConfig)}, plus the feature sections into {@code features}' tables. */
    public static ConfigSnapshot.Builder compile(SoftgateConfig config, ServiceFeatures features) throws ConfigException {
        ConfigSnapshot.Builder builder = ConfigSnapshot.builder();
        ForwardingTables forwarding = compileForwarding(config, builder);
        List<ConfigError> errors = new ArrayList<>();
        features.compileInto(builder, forwarding, errors);
        if (!errors.isEmpty()) {
            throw new ConfigException("compile", errors);
        }
        return builder;
    }

    private static ForwardingTables compileForwarding(SoftgateConfig config, ConfigSnapshot.Builder builder)
        throws ConfigException {
        try {
            ForwardingTables tables = new ForwardingCompiler().compile(StaticForwardingIntent.of(config));
            builder.with(ForwardingTables.SLOT, tables);
            return tables;
        } catch (ForwardingConfigException e) {
            throw new ConfigException("compile", List.of(new ConfigError("forwarding." + e.field(), e.getMessage())));
        }
    }
}
