package io.softgate.lb.health;

/**
 * Told when a VIP address gains its first backend that takes new connections (advertise it) or
 * loses its last one (withdraw it); the EVPN speaker implements it to announce or withdraw the
 * VIP's /32 type-5 route in the public VRF.
 *
 * <p>Threading: called from the load balancer's control thread, one call at a time; must not block long.
 */
public interface VipAvailabilityListener {
    /** {@code vipAddress} (dotted quad) has at least one healthy, enabled backend. */
    void vipAvailable(String vipAddress);

    /** {@code vipAddress} has no healthy, enabled backend left (or no service any more). */
    void vipUnavailable(String vipAddress);
}
