package io.softgate.service.intent;

import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.config.VrfConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The VRF index of every VRF the forwarding tables hold, numbered the one way every adapter must
 * agree on: the configuration file's VRFs in file order, then each VPC that has a vNet, in intent
 * order. A VPC without a vNet has no VRF (nothing can reach it yet).
 *
 * <p>Threading: stateless.
 */
public final class VrfNumbering {
    private VrfNumbering() {
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
