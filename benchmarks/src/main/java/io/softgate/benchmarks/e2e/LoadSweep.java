package io.softgate.benchmarks.e2e;

/**
 * The offered-load sweep that finds a gateway's maximum forwarding rate, the same for every
 * gateway, the kernel included.
 *
 * <p>Terms of RFC 2285: intended load (§3.5.1, the rate asked of the generator), offered load
 * (§3.5.2, what it managed to send), maximum offered load MOL (§3.5.3: here the unpaced window,
 * as fast as the generator's transmit ring takes packets), forwarding rate FR (§3.6.1, measured at
 * the sink), FR at MOL (§3.6.2) and maximum forwarding rate MFR (§3.6.3): the highest forwarding
 * rate of an iterative set of forwarding-rate measurements at different intended loads. The FR at
 * MOL may be below the MFR (a gateway that does worse when overdriven), which is why one unpaced
 * window is not a peak. The overload test offers 2x MFR (RFC 2285 §3.5.4, overloading).
 *
 * <p>The search, after the unpaced (MOL) window: the first paced step asks for the forwarding rate
 * measured at MOL (1.5x that when the gateway forwarded everything the generator offered at MOL,
 * i.e. the generator, not the gateway, was the limit); after each step it climbs by
 * {@value #FAST_STEP}x while the gateway still forwarded >= {@value #KEPT_UP} of what it was
 * offered (not saturated yet), by {@value #SLOW_STEP}x while it lost packets but its forwarding
 * rate still grew by >= 2 % over the best so far, and stops when the rate stopped growing, when the
 * generator delivered less than {@value #DELIVERED} of the intended load (it cannot offer more),
 * or after {@value #MAX_PACED_STEPS} paced steps. MFR = the highest forwarding rate over the
 * MOL window and every step.
 *
 * <p>Threading: single-threaded (the harness's main thread), one instance per gateway and size.
 */
final class LoadSweep {
    /** Forwarded / offered at or above this: the gateway kept up with that load. */
    static final double KEPT_UP = 0.97;
    /** Offered / intended below this: the generator could not offer the intended load. */
    static final double DELIVERED = 0.95;
    /** A step's forwarding rate must beat the best so far by this factor to count as growth. */
    static final double GROWTH = 1.02;
    static final double FAST_STEP = 1.5;
    static final double SLOW_STEP = 1.25;
    static final int MAX_PACED_STEPS = 6;

    private double bestForwardedPps;
    private int pacedSteps;

    /**
     * The first paced intended load after the unpaced (MOL) window, in packets per second.
     *
     * @param molOffered packets offered in the MOL window
     * @param molForwarded packets forwarded in it
     * @param seconds the window's length
     */
    double first(long molOffered, long molForwarded, double seconds) {
        double forwardedPps = molForwarded / seconds;
        bestForwardedPps = forwardedPps;
        boolean keptUp = molForwarded >= KEPT_UP * molOffered;
        return Math.max(1000, keptUp ? forwardedPps * FAST_STEP : forwardedPps);
    }

    /**
     * The next intended load after a paced step, or 0 to stop.
     *
     * @param intendedPps what the step asked of the generator
     * @param offered packets offered in the step
     * @param forwarded packets forwarded in it
     * @param seconds the step's length
     */
    double next(double intendedPps, long offered, long forwarded, double seconds) {
        pacedSteps++;
        double forwardedPps = forwarded / seconds;
        double offeredPps = offered / seconds;
        boolean grew = forwardedPps >= GROWTH * bestForwardedPps;
        bestForwardedPps = Math.max(bestForwardedPps, forwardedPps);
        if (pacedSteps >= MAX_PACED_STEPS || offeredPps < DELIVERED * intendedPps) {
            return 0;
        }
        if (forwarded >= KEPT_UP * offered) {
            return intendedPps * FAST_STEP;
        }
        return grew ? intendedPps * SLOW_STEP : 0;
    }

    /** The highest forwarding rate seen so far (packets per second). */
    double bestForwardedPps() {
        return bestForwardedPps;
    }
}
