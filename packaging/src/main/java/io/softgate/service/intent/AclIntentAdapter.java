package io.softgate.service.intent;

import io.softgate.core.snapshot.ConfigSnapshot;
import java.util.List;

/**
 * Feeds the acl module from the controller's intent: the acl module's rule compiler (ordered permit/deny rules per VRF).
 * The module's compiler is not part of this build yet, so the adapter contributes no tables
 * ({@link #wired()} is false) and the resolved intent stays available to it in
 * {@link CompiledIntent#SLOT}; once the module lands, {@link #contribute} maps
 * {@link CompiledIntent} into its model, runs its compiler and adds its tables.
 *
 * <p>Threading: stateless.
 */
public final class AclIntentAdapter implements IntentModuleAdapter {
    @Override
    public String module() {
        return "acl";
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
