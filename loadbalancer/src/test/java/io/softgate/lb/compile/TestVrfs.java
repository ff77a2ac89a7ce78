package io.softgate.lb.compile;

import java.util.Map;

/**
 * A fixed VRF map for tests: public VRF 0, VPC "blue" = 5, VPC "green" = 7.
 *
 * <p>Threading: immutable.
 */
public final class TestVrfs implements VrfResolver {
    public static final int PUBLIC = 0;
    public static final int BLUE = 5;
    public static final int GREEN = 7;
    private static final Map<String, Integer> VPCS = Map.of("blue", BLUE, "green", GREEN);

    @Override
    public int publicVrf() {
        return PUBLIC;
    }

    @Override
    public int vrfOfVpc(String vpc) {
        return VPCS.getOrDefault(vpc, UNKNOWN);
    }
}
