package io.softgate.service.intent;

import io.softgate.core.snapshot.ConfigSnapshot;
import java.util.List;

/**
 * Feeds the forwarding module from the controller's intent: evpn-gateway's io.softgate.evpn.forwarding (ForwardingCompiler over ForwardingIntent: VRF per VPC, L3VNI, static routes resolved to VTEPs).
 * The module's compiler is not part of this build yet, so the adapter contributes no tables
 * ({@link #wired()} is false) and the resolved intent stays available to it in
 * {@link CompiledIntent#SLOT}; once the module lands, {@link #contribute} maps
 * {@link CompiledIntent} into its model, runs its compiler and adds its tables.
 *
 * <p>Threading: stateless.
 */
public final class ForwardingIntentAdapter implements IntentModuleAdapter {
    @Override
    public String module() {
        return "forwarding";
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
