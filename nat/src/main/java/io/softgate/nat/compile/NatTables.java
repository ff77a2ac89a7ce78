package io.softgate.nat.compile;

import io.softgate.core.snapshot.SnapshotSlot;
import io.softgate.nat.config.NatSettings;

/**
 * The compiled NAT policy in a {@link io.softgate.core.snapshot.ConfigSnapshot}: outbound rules
 * per VPC VRF in match order, inbound (DNAT and 1:1) rules, the sorted list of public addresses
 * the NAT owns, VPC names for the event log, and the settings. Only the slow path reads it;
 * established sessions never consult it.
 *
 * <p>Threading: immutable once compiled; read by every worker.
 */
public final class NatTables {
    /** The snapshot slot the service publishes the NAT tables in. */
    public static final SnapshotSlot<NatTables> SLOT = SnapshotSlot.declare("nat", NatTables.class);

    private static final CompiledRule[] NO_RULES = new CompiledRule[0];

    private final CompiledRule[][] outboundByVrf;
    private final CompiledRule[] inbound;
    private final int[] externalAddressesSorted;
    private final ExternalAddress[] externalByPosition;
    private final String[] vpcNameByVrf;
    private final int[] masqueradeByVrf;
    private final int publicVrf;
    private final NatSettings settings;
    /** Every rule once, inbound first, then outbound by VRF: a rule's index here is its trace id. */
    private final CompiledRule[] rulesById;
    private final java.util.IdentityHashMap<CompiledRule, Integer> idOfRule = new java.util.IdentityHashMap<>();

    NatTables(CompiledRule[][] outboundByVrf, CompiledRule[] inbound, int[] externalAddressesSorted,
              ExternalAddress[] externalByPosition, String[] vpcNameByVrf, int[] masqueradeByVrf, int publicVrf,
              NatSettings settings) {
        this.outboundByVrf = outboundByVrf;
        this.inbound = inbound;
        this.externalAddressesSorted = externalAddressesSorted;
        this.externalByPosition = externalByPosition;
        this.vpcNameByVrf = vpcNameByVrf;
        this.masqueradeByVrf = masqueradeByVrf;
        this.publicVrf = publicVrf;
        this.settings = settings;
        java.util.List<CompiledRule> all = new java.util.ArrayList<>(java.util.Arrays.asList(inbound));
        for (CompiledRule[] rules : outboundByVrf) {
            if (rules != null) {
                all.addAll(java.util.Arrays.asList(rules));
            }
        }
        this.rulesById = all.toArray(NO_RULES);
        for (int id = 0; id < rulesById.length; id++) {
            idOfRule.putIfAbsent(rulesById[id], id);
        }
    }

    /**
     * The rule's id in these tables (for a packet trace's decision word), or -1 when the rule is
     * not one of them. Read only for traced packets.
     */
    public int ruleId(CompiledRule rule) {
        Integer id = rule == null ? null : idOfRule.get(rule);
        return id == null ? -1 : id;
    }

    /** The rule with trace id {@code id}, or null when these tables have none (e.g. compiled since). */
    public CompiledRule ruleById(int id) {
        return id >= 0 && id < rulesById.length ? rulesById[id] : null;
    }

    /** Outbound rules of {@code vrf} in match order (empty when the VRF has none). */
    public CompiledRule[] outbound(int vrf) {
        return vrf >= 0 && vrf < outboundByVrf.length && outboundByVrf[vrf] != null ? outboundByVrf[vrf] : NO_RULES;
    }

    /** Inbound DNAT / 1:1 rules in match order. */
    public CompiledRule[] inbound() {
        return inbound;
    }

    /** The external address record for {@code address}, or null when the NAT does not own it. */
    public ExternalAddress external(int address) {
        int low = 0;
        int high = externalAddressesSorted.length - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            int compare = Integer.compareUnsigned(externalAddressesSorted[middle], address);
            if (compare < 0) {
                low = middle + 1;
            } else if (compare > 0) {
                high = middle - 1;
            } else {
                return externalByPosition[middle];
            }
        }
        return null;
    }

    /** True when the VRF index is a VPC the NAT knows. */
    public boolean isVpc(int vrf) {
        return vrf >= 0 && vrf < vpcNameByVrf.length && vpcNameByVrf[vrf] != null;
    }

    /** VPC name of {@code vrf} for logs, or "vrf<n>". */
    public String vpcName(int vrf) {
        return isVpc(vrf) ? vpcNameByVrf[vrf] : "vrf" + vrf;
    }

    /** The VPC's masquerade address, or 0 when it has none. */
    public int masqueradeAddress(int vrf) {
        return vrf >= 0 && vrf < masqueradeByVrf.length ? masqueradeByVrf[vrf] : 0;
    }

    public int publicVrf() {
        return publicVrf;
    }

    public NatSettings settings() {
        return settings;
    }

    /** Every public address the NAT owns (for the service's BGP /32 advertisements). */
    public int[] externalAddresses() {
        return externalAddressesSorted.clone();
    }
}
