package io.softgate.service.features;

import io.softgate.evpn.forwarding.table.ForwardingTables;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The compiled VRF indices the features key their tables on, taken from the forwarding tables
 * compiled from the same configuration (so decap's {@code vrf[slot]} and the features agree): the
 * public VRF ({@code node.publicVrf}, -1 when none) and every other VRF, which is a VPC.
 *
 * <p>Threading: immutable.
 */
record VrfIndexes(int publicVrf, Map<String, Integer> vpcs) {
    VrfIndexes {
        vpcs = Collections.unmodifiableMap(new LinkedHashMap<>(vpcs));
    }

    static VrfIndexes of(ForwardingTables tables, String publicVrfName) {
        Map<String, Integer> vpcs = new LinkedHashMap<>();
        int publicVrf = -1;
        for (int vrf = 0; vrf < tables.vrfCount(); vrf++) {
            String name = tables.vrfName(vrf);
            if (name == null) {
                continue;
            }
            if (name.equals(publicVrfName)) {
                publicVrf = vrf;
            } else {
                vpcs.put(name, vrf);
            }
        }
        return new VrfIndexes(publicVrf, vpcs);
    }

    boolean isVpc(String name) {
        return vpcs.containsKey(name);
    }

    int indexOf(String vpc) {
        Integer index = vpcs.get(vpc);
        return index == null ? -1 : index;
    }

    List<String> vpcNames() {
        return new ArrayList<>(vpcs.keySet());
    }

    /** VPC name of a VRF index, or null (for the NAT event log). */
    String nameOf(int vrf) {
        for (Map.Entry<String, Integer> entry : vpcs.entrySet()) {
            if (entry.getValue() == vrf) {
                return entry.getKey();
            }
        }
        return null;
    }
}
