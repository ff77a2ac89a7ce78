package io.softgate.service.intent;

import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.config.VrfConfig;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The VRF index of every VRF the forwarding tables hold, numbered the one way every adapter must
 * agree on: the configuration file's VRFs in file order, then each VPC that has a vNet, in intent
 * order. A VPC without a vNet has no VRF (nothing can reach it yet): its NAT rules, LB services
 * and ACL rules stay stored, are not in the data plane ({@link #NO_VNET}) and are compiled once
 * it has a vNet (the system VPC's ACL rules excepted: they guard the public VRF).
 *
 * <p>Threading: stateless.
 */
public final class VrfNumbering {
    /** Why a rule or service of a VPC without a vNet is not in the data plane, as the API reports it. */
    public static final String NO_VNET = "VPC has no vNet";
    /** Why a rule or service the controller switched off is not in the data plane, as the API reports it. */
    public static final String DISABLED = "disabled";

    private VrfNumbering() {
    }

    /** The ids of the VPCs that have one of {@code vnets}, hence a VRF; a rule of any other VPC is inactive. */
    public static Set<Integer> vpcsWithVnet(List<VnetIntent> vnets) {
        Set<Integer> ids = new HashSet<>();
        for (VnetIntent vnet : vnets) {
            ids.add(vnet.vpcId());
        }
        return ids;
    }

    /** The names of {@code intent}'s VPCs that have a vNet, hence a VRF (the VRFs their rules are compiled into). */
    public static Set<String> vrfsWithVnet(CompiledIntent intent) {
        Set<String> names = new HashSet<>();
        for (CompiledIntent.Vrf vpc : intent.vrfs()) {
            if (!vpc.vnis().isEmpty()) {
                names.add(vpc.name());
            }
        }
        return names;
    }

    /**
     * Why a NAT rule or LB service is not in the data plane ({@link #NO_VNET} before
     * {@link #DISABLED}: a VPC without a vNet compiles nothing, whatever the rule's state), or null
     * when it is: the API's {@code inactiveReason}, and what decides whether its public address is
     * advertised.
     */
    public static String inactiveReason(boolean vpcHasVnet, boolean enabled) {
        return !vpcHasVnet ? NO_VNET : enabled ? null : DISABLED;
    }

    public static Map<String, Integer> of(SoftgateConfig config, CompiledIntent intent) {
        Map<String, Integer> indices = new LinkedHashMap<>();
        for (VrfConfig vrf : config.forwarding().vrfs()) {
            indices.put(vrf.name(), indices.size());
        }
        for (CompiledIntent.Vrf vpc : intent.vrfs()) {
            if (!vpc.vnis().isEmpty() && !indices.containsKey(vpc.name())) {
                indices.put(vpc.name(), indices.size());
            }
        }
        return indices;
    }
}
