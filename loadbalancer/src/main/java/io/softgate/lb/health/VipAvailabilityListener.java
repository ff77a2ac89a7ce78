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

    /**
     * The changes of one compile at once (a first apply of 1,000 services makes 1,000 VIPs
     * available): by default {@link #vipUnavailable} for each of {@code unavailable}, then
     * {@link #vipAvailable} for each of {@code available}, both sorted; a listener that logs
     * overrides it to write one line.
     */
    default void vipsChanged(java.util.List<String> available, java.util.List<String> unavailable) {
        for (String vip : unavailable) {
            vipUnavailable(vip);
        }
        for (String vip : available) {
            vipAvailable(vip);
        }
    }
}
