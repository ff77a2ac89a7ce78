package io.softgate.service.intent;

import io.softgate.core.snapshot.ConfigSnapshot;
import java.util.List;

/**
 * Feeds the loadbalancer module from the controller's intent: the loadbalancer module's Maglev table builder and health checker (services, backends).
 * The module's compiler is not part of this build yet, so the adapter contributes no tables
 * ({@link #wired()} is false) and the resolved intent stays available to it in
 * {@link CompiledIntent#SLOT}; once the module lands, {@link #contribute} maps
 * {@link CompiledIntent} into its model, runs its compiler and adds its tables.
 *
 * <p>Threading: stateless.
 */
public final class LoadBalancerIntentAdapter implements IntentModuleAdapter {
    @Override
    public String module() {
        return "loadbalancer";
    }

    @Override
    public boolean wired() {
        return false;
    }

    @Override
    public List<IntentError> contribute(CompiledIntent intent, ConfigSnapshot.Builder snapshot) {
        return List.of();
    }
}
