package io.softgate.lb.health;

/**
 * Told when a VIP address gains its first healthy backend (advertise it) or loses its last one
 * (withdraw it); backends in maintenance count while healthy, so a drain keeps the VIP announced.
 * The EVPN speaker implements it to announce or withdraw the VIP's /32 type-5 route in the
 * public VRF.
 *
 * <p>Threading: called from the load balancer's control thread, one call at a time; must not block long.
 */
public interface VipAvailabilityListener {
    /** {@code vipAddress} (dotted quad) has at least one healthy backend. */
    void vipAvailable(String vipAddress);

    /** {@code vipAddress} has no healthy backend left (or no service any more). */
    void vipUnavailable(String vipAddress);
}
