package io.softgate.service.cli;

import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.service.api.ApiService;
import io.softgate.service.api.ApiSettings;
import io.softgate.service.api.NodeView;
import io.softgate.service.config.ConfigException;
import io.softgate.service.config.ConfigLoader.LoadedConfig;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.intent.IntentCompiler;
import io.softgate.service.pipeline.ServicePipeline;
import io.softgate.service.runtime.SoftgateRuntime;
import java.nio.file.Path;

/**
 * Starts the controller's API for a running node when the configuration has an {@code api}
 * section (returns null otherwise): the intent compiles on top of the configuration's own tables
 * and is published through the runtime's snapshot publisher.
 *
 * <p>Threading: called once by the control thread during start-up.
 */
final class ApiHook {
    private ApiHook() {
    }

    static ApiService start(LoadedConfig loaded, Path stateDir, SoftgateRuntime runtime) throws Exception {
        SoftgateConfig config = loaded.config();
        if (!config.api().enabled()) {
            return null;
        }
        ApiSettings settings = ApiSettings.from(config.api(), loaded::resolve, stateDir, config.node().name());
        NodeView node = new NodeView(config, runtime.counters(), runtime.workers(), runtime.publisher(), () -> true);
        return ApiService.start(settings, node, () -> baseTables(config), runtime::publish, IntentCompiler.defaultAdapters(config));
    }

    private static ConfigSnapshot.Builder baseTables(SoftgateConfig config) {
        try {
            return ServicePipeline.compile(config);
        } catch (ConfigException e) {
            // The same configuration compiled at start-up; it cannot fail now.
            throw new IllegalStateException(e);
        }
    }
}
