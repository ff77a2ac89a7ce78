package io.softgate.service.pipeline;

import io.softgate.core.pipeline.PipelineDefinition;
import io.softgate.core.snapshot.ConfigSnapshot;
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
    /** True once the EVPN forwarding stages are part of the pipeline. */
    public static final boolean FORWARDING_WIRED = false;

    private ServicePipeline() {
    }

    /** The stage graph every worker instantiates. */
    public static PipelineDefinition definition(SoftgateConfig config) {
        return PipelineDefinition.builder()
            .stage(workerId -> new ForwardingNotWiredStage())
            .entry(ForwardingNotWiredStage.NAME)
            .build();
    }

    /**
     * Compiles {@code config} into the tables of the next snapshot (the forwarding compiler plugs
     * in here); a configuration the compilers reject is a {@link ConfigException}.
     */
    public static ConfigSnapshot.Builder compile(SoftgateConfig config) throws ConfigException {
        ConfigSnapshot.Builder builder = ConfigSnapshot.builder();
        List<ConfigError> errors = List.of();
        if (!errors.isEmpty()) {
            throw new ConfigException("compile", errors);
        }
        return builder;
    }
}
