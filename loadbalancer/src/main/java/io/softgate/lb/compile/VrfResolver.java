package io.softgate.lb.compile;

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
}
