package io.softgate.lb.compile;

import java.util.Map;

/**
 * Maps names to the compiled VRF indices of the routing tables (provided by the service from the
 * VPC/EVPN configuration).
 *
 * <p>Threading: called only by the control thread that compiles.
 */
public interface VrfResolver {
    /** Value of {@link #vrfOfVpc} for an unknown VPC. */
    int UNKNOWN = -1;

    /** The public VRF: where VIPs live and where replies to clients are routed. */
    int publicVrf();

    /** The VRF of VPC {@code vpc}, or {@link #UNKNOWN}. */
    int vrfOfVpc(String vpc);

    /** A resolver over a fixed VPC-name numbering; {@code publicVrf} below 0 means unknown. */
    static VrfResolver of(Map<String, Integer> numbering, int publicVrf) {
        return new VrfResolver() {
            @Override
            public int publicVrf() {
                return publicVrf < 0 ? UNKNOWN : publicVrf;
            }

            @Override
            public int vrfOfVpc(String vpc) {
                Integer vrf = numbering.get(vpc);
                return vrf == null ? UNKNOWN : vrf;
            }
        };
    }
}
