package io.softgate.service.cli;

import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.service.api.ApiService;
import io.softgate.service.api.ApiSettings;
import io.softgate.service.api.NodeView;
import io.softgate.service.config.ConfigLoader.LoadedConfig;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.compose.SnapshotComposer;
import io.softgate.service.runtime.SoftgateRuntime;
import java.nio.file.Path;

/**
 * Starts the controller's API for a running node when the configuration has an {@code api}
 * section (returns null otherwise): the intent is merged with the configuration file and the
 * learned routes by the {@link SnapshotComposer}, which publishes every snapshot.
 *
 * <p>Threading: called once by the control thread during start-up.
 */
final class ApiHook {
    private ApiHook() {
    }

    static ApiService start(LoadedConfig loaded, Path stateDir, SoftgateRuntime runtime, SnapshotComposer composer)
        throws Exception {
        SoftgateConfig config = loaded.config();
        if (!config.api().enabled()) {
            return null;
        }
        ApiSettings settings = ApiSettings.from(config.api(), loaded::resolve, stateDir, config.node().name());
        NodeView node = new NodeView(config, runtime.counters(), runtime.workers(), runtime.publisher(), () -> true);
        // The composer builds every snapshot (file + intent + learned routes) and publishes it.
        ApiService api = ApiService.start(settings, node, ConfigSnapshot::builder, composer::commit, composer.adapters());
        composer.attach(api.store());
        return api;
    }
}
