package io.softgate.service.intent;

import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.config.VrfConfig;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The VRF index of every VRF the forwarding tables hold, numbered the one way every adapter must
 * agree on: the configuration file's VRFs in file order, then each VPC that has a vNet, in intent
 * order. It is also the one definition of "a VPC's rules are in the data plane": a NAT rule, LB
 * service or ACL rule of a VPC is compiled (and, enabled, reported {@code active} by the API and its
 * public address advertised) exactly when the VPC's name is a VRF here ({@link #activeVrfs},
 * {@link #activeVpcs}): when the VPC has a vNet, or when its name is a VRF of the configuration
 * file (the adapters compile its rules into that file VRF; a VPC with a vNet may not take a file
 * VRF's name). Any other VPC without a vNet has no VRF (nothing can reach it yet): its NAT rules,
 * LB services and ACL rules stay stored, are not in the data plane ({@link #NO_VNET}) and are
 * compiled once it has a vNet (the system VPC's ACL rules excepted: they guard the public VRF).
 *
 * <p>Threading: stateless.
 */
public final class VrfNumbering {
    /** Why a rule or service of a VPC without a VRF (no vNet, not a file VRF's name) is not in the data plane, as the API reports it. */
    public static final String NO_VNET = "VPC has no vNet";
    /** Why a rule or service the controller switched off is not in the data plane, as the API reports it. */
    public static final String DISABLED = "disabled";

    private VrfNumbering() {
    }

    /**
     * The names of the VRFs {@code intent}'s rules are compiled into ({@link #of}'s): a rule or
     * service whose VPC ({@code vrf()}) is not among them is not in the data plane.
     */
    public static Set<String> activeVrfs(SoftgateConfig config, CompiledIntent intent) {
        return Collections.unmodifiableSet(of(config, intent).keySet());
    }

    /**
     * The ids of the VPCs of a document ({@code vpcs}, {@code vnets}: applied or a draft) whose
     * rules are in the data plane: those whose name {@link #of} numbers for the document's resolved
     * intent ({@link #activeVrfs}), without resolving it.
     */
    public static Set<Integer> activeVpcs(SoftgateConfig config, List<VpcIntent> vpcs, List<VnetIntent> vnets) {
        Set<Integer> withVnet = new HashSet<>();
        for (VnetIntent vnet : vnets) {
            withVnet.add(vnet.vpcId());
        }
        Set<String> names = fileVrfs(config);
        for (VpcIntent vpc : vpcs) {
            if (withVnet.contains(vpc.id())) {
                names.add(vpc.name());
            }
        }
        Set<Integer> ids = new HashSet<>();
        for (VpcIntent vpc : vpcs) {
            if (names.contains(vpc.name())) {
                ids.add(vpc.id());
            }
        }
        return ids;
    }

    /**
     * Why a NAT rule or LB service is not in the data plane ({@link #NO_VNET} before
     * {@link #DISABLED}: a VPC without a VRF compiles nothing, whatever the rule's state), or null
     * when it is: the API's {@code inactiveReason}, and what decides whether its public address is
     * advertised. {@code vpcHasVrf}: the VPC is in {@link #activeVrfs} / {@link #activeVpcs}.
     */
    public static String inactiveReason(boolean vpcHasVrf, boolean enabled) {
        return !vpcHasVrf ? NO_VNET : enabled ? null : DISABLED;
    }

    private static Set<String> fileVrfs(SoftgateConfig config) {
        Set<String> names = new HashSet<>();
        for (VrfConfig vrf : config.forwarding().vrfs()) {
            names.add(vrf.name());
        }
        return names;
    }

    /** Every VRF's index: the file's VRFs in file order, then each VPC that has a vNet, in intent order. */
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
