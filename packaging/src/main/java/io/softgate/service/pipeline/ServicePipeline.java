package io.softgate.service.pipeline;

import io.softgate.core.pipeline.PipelineDefinition;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.evpn.forwarding.compiler.ForwardingCompiler;
import io.softgate.evpn.forwarding.compiler.ForwardingConfigException;
import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.model.RouteIntent;
import io.softgate.evpn.forwarding.ForwardingPipeline;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import io.softgate.service.config.ConfigError;
import io.softgate.service.config.ConfigException;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.evpn.StaticForwardingIntent;
import java.util.List;

/**
 * The packet graph and the configuration compiler of the service: which stages run, and how a
 * configuration becomes the tables of a {@link ConfigSnapshot} those stages read. This is the one
 * place where feature modules are plugged into the service.
 *
 * <p>Threading: stateless; called by the control thread.
 */
public final class ServicePipeline {
    /** True once the EVPN forwarding stages are part of the pipeline. */
    public static final boolean FORWARDING_WIRED = true;

    private ServicePipeline() {
    }

    /** The stage graph every worker instantiates. */
    public static PipelineDefinition definition(SoftgateConfig config) {
        return ForwardingPipeline.definition();
    }

    /**
     * Compiles {@code config} into the tables of the next snapshot (the forwarding compiler plugs
     * in here); a configuration the compilers reject is a {@link ConfigException}.
     */
    public static ConfigSnapshot.Builder compile(SoftgateConfig config) throws ConfigException {
        return compile(config, List.of());
    }

    /**
     * As {@link #compile(SoftgateConfig)}, with the routes BGP EVPN has learned added to the
     * static ones (a static route wins over a learned one for the same VRF and prefix), so the
     * static configuration and the learned state are published together in one snapshot.
     */
    public static ConfigSnapshot.Builder compile(SoftgateConfig config, List<RouteIntent> learnedRoutes)
        throws ConfigException {
        ConfigSnapshot.Builder builder = ConfigSnapshot.builder();
        if (config == null || config.node() == null) {
            return builder;
        }
        ForwardingIntent intent = StaticForwardingIntent.of(config).withAdditionalRoutes(learnedRoutes);
        try {
            builder.with(ForwardingTables.SLOT, new ForwardingCompiler().compile(intent));
        } catch (ForwardingConfigException e) {
            throw new ConfigException("compile", List.of(new ConfigError("forwarding." + e.field(),
                e.getMessage().substring(e.field().length() + 2))));
        }
        return builder;
    }
}
