package io.softgate.service.intent;

import java.util.List;

/**
 * A vNet: one tenant network of a VPC, its VXLAN id and its gateway prefixes ({@code 10.1.1.1/24}).
 *
 * <p>Threading: immutable.
 */
public record VnetIntent(int id, String name, int vpcId, int vxlanId, List<String> gateways) {
    public VnetIntent {
        gateways = List.copyOf(gateways);
    }
}
