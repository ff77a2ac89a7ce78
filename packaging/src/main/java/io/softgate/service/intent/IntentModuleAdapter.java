package io.softgate.service.intent;

import io.softgate.core.snapshot.ConfigSnapshot;
import java.util.List;

/**
 * The seam between the controller's intent and one feature module: maps the resolved
 * {@link CompiledIntent} into that module's model, runs the module's compiler and puts the
 * resulting tables into the snapshot being built. An adapter that finds a problem only its
 * module can see returns errors and the whole change is refused.
 *
 * <p>Threading: called by the one thread applying a change; implementations keep no state
 * between calls.
 */
public interface IntentModuleAdapter {
    /** The feature module this adapter feeds (forwarding, nat, loadbalancer, acl). */
    String module();

    /** True when this adapter runs the module's compiler; false while the module is not in the build. */
    boolean wired();

    /** Adds the module's tables for {@code intent} to {@code snapshot}; returns the problems found. */
    List<IntentError> contribute(CompiledIntent intent, ConfigSnapshot.Builder snapshot);
}
