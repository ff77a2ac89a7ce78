package io.softgate.acl.classify;

import io.softgate.core.snapshot.SnapshotSlot;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every VPC's compiled ACL, indexed by compiled VRF index, as published in a
 * {@link io.softgate.core.snapshot.ConfigSnapshot} under {@link #SLOT}. Each compile gets a new
 * {@link #generation()}; flow entries remember the generation that admitted them, so after a
 * rule change the stage re-checks every flow it meets against the new rules.
 *
 * <p>Threading: immutable; read by any number of workers.
 */
public final class AclTables {
    /** Where the ACL tables live in a config snapshot. */
    public static final SnapshotSlot<AclTables> SLOT = SnapshotSlot.declare("acl", AclTables.class);

    private static final AtomicLong GENERATIONS = new AtomicLong();

    private final VrfClassifier[] byVrf;
    private final long generation;
    private final int ruleCount;
    private final String[] ruleNames;

    AclTables(VrfClassifier[] byVrf, int ruleCount, String[] ruleNames) {
        this.byVrf = byVrf;
        this.ruleCount = ruleCount;
        this.ruleNames = ruleNames;
        this.generation = GENERATIONS.incrementAndGet();
    }

    /** Tables with no VPC filtered (every packet passes). */
    public static AclTables empty() {
        return new AclTables(new VrfClassifier[0], 0, new String[0]);
    }

    /** The classifier of VRF {@code vrf}, or null when that VRF has no ACL (it is not filtered). */
    public VrfClassifier classifier(int vrf) {
        return vrf >= 0 && vrf < byVrf.length ? byVrf[vrf] : null;
    }

    /** Unique, increasing number of this compile. */
    public long generation() {
        return generation;
    }

    /** Number of rules of all VPCs (rule ids are {@code 0 .. ruleCount-1}). */
    public int ruleCount() {
        return ruleCount;
    }

    /** Size of a per-rule counter array: every rule, then one "default policy" entry per VRF. */
    public int counterSlots() {
        return ruleCount + byVrf.length;
    }

    /** Counter index of VRF {@code vrf}'s default policy. */
    public int defaultCounterId(int vrf) {
        return ruleCount + vrf;
    }

    /** "vpc/rule-name" of rule id {@code ruleId}, or "vpc/default" for a default counter id. */
    public String counterName(int counterId) {
        if (counterId < ruleCount) {
            return ruleNames[counterId];
        }
        VrfClassifier classifier = byVrf[counterId - ruleCount];
        return (classifier == null ? "vrf" + (counterId - ruleCount) : classifier.vpc()) + "/default";
    }

    /** The classifiers that exist (control plane). */
    public List<VrfClassifier> classifiers() {
        java.util.ArrayList<VrfClassifier> all = new java.util.ArrayList<>();
        for (VrfClassifier classifier : byVrf) {
            if (classifier != null) {
                all.add(classifier);
            }
        }
        return all;
    }
}
