package io.softgate.service.cli;

import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.service.api.ApiService;
import io.softgate.service.api.ApiSettings;
import io.softgate.service.api.NodeView;
import io.softgate.service.api.StateSources;
import io.softgate.evpn.bgp.session.BgpSpeaker;
import io.softgate.service.features.ServiceFeatures;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import io.softgate.service.compose.SnapshotComposer;
import io.softgate.service.config.ConfigLoader.LoadedConfig;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.intent.IntentRejectedException;
import io.softgate.service.intent.IntentStore;
import io.softgate.service.runtime.SoftgateRuntime;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The controller's API of a node whose configuration has an {@code api} section (nothing
 * otherwise), in two steps: {@link #loadIntent} before the first publish (the applied intent,
 * merged with the configuration file by the {@link SnapshotComposer}, is the first snapshot, so
 * restored NAT sessions and LB connections see the API's tables), and {@link #start} once the
 * data plane runs (serves that same intent store: no second load, no generation change).
 *
 * <p>Threading: called by the control thread during start-up.
 */
final class ApiHook {
    private ApiHook() {
    }

    /**
     * Loads the persisted applied intent with the API's own loader, publishes it with the file
     * through {@code composer} and attaches the store to it; null (nothing published) without an
     * {@code api} section.
     */
    static IntentStore loadIntent(LoadedConfig loaded, Path stateDir, SnapshotComposer composer)
        throws IOException, IntentRejectedException {
        SoftgateConfig config = loaded.config();
        if (!config.api().enabled()) {
            return null;
        }
        IntentStore store = ApiService.openIntent(ApiSettings.intentDirectory(config.api(), stateDir),
            config.node().name(), ApiSettings.DEFAULT_ADMIN_TENANT, ConfigSnapshot::builder, composer::commit,
            composer.adapters());
        composer.attach(store);
        return store;
    }

    /**
     * Serves the API over {@code store} (from {@link #loadIntent}); null when there is none. The
     * state endpoints read {@code features}' NAT session and LB connection tables and LB
     * controller, and the speaker {@code bgpSpeaker} supplies (null while BGP is off or stopped);
     * session expiries are measured on {@code workerClock}, the workers' clock.
     */
    static ApiService start(LoadedConfig loaded, Path stateDir, SoftgateRuntime runtime, IntentStore store,
                            ServiceFeatures features, Supplier<BgpSpeaker> bgpSpeaker, LongSupplier workerClock)
        throws Exception {
        if (store == null) {
            return null;
        }
        SoftgateConfig config = loaded.config();
        ApiSettings settings = ApiSettings.from(config.api(), loaded::resolve, stateDir, config.node().name());
        StateSources state = new StateSources(features.nat() == null ? null : features.nat().sessions(),
            features.loadBalancerConnections(), features.loadBalancer(), bgpSpeaker, workerClock);
        NodeView node = new NodeView(config, runtime.counters(), runtime.workers(), runtime.publisher(), () -> true, state);
        return ApiService.start(settings, node, store);
    }
}
