package io.softgate.service.pipeline;

import io.softgate.core.pipeline.PipelineDefinition;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.evpn.forwarding.compiler.ForwardingCompiler;
import io.softgate.evpn.forwarding.compiler.ForwardingConfigException;
import io.softgate.evpn.forwarding.ForwardingPipeline;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import io.softgate.service.config.ConfigError;
import io.softgate.service.config.ConfigException;
import io.softgate.service.config.SoftgateConfig;
import java.util.List;

/**
 * The packet graph and the configuration compiler of the service: which stages run, and how a
 * configuration becomes the tables of a {@link ConfigSnapshot} those stages read. This is the one
 * place where feature modules are plugged into the service.
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

    /**
     * Compiles {@code config} into the tables of the next snapshot; a configuration the compilers
     * reject is a {@link ConfigException} naming the field of the configuration file.
     */
    public static ConfigSnapshot.Builder compile(SoftgateConfig config) throws ConfigException {
        ForwardingIntents.Translation translation = ForwardingIntents.translate(config);
        ForwardingTables tables;
        try {
            tables = new ForwardingCompiler().compile(translation.intent());
        } catch (ForwardingConfigException e) {
            String path = translation.configPath(e.field());
            String message = e.getMessage().startsWith(e.field() + ": ")
                ? e.getMessage().substring(e.field().length() + 2) : e.getMessage();
            throw new ConfigException("(forwarding compiler)", List.of(new ConfigError(path, message)));
        }
        return ConfigSnapshot.builder().with(ForwardingTables.SLOT, tables);
    }
}
