package io.softgate.service.api;

import io.softgate.evpn.bgp.session.BgpSpeaker;
import io.softgate.lb.control.LoadBalancerController;
import io.softgate.lb.stage.ConnectionTracker;
import io.softgate.nat.session.NatSessions;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The running service's stateful objects the state endpoints read ({@code /api/softgate/sessions},
 * {@code /bgp}, {@code /lb-health}): the NAT session table, the LB connection table, the LB
 * controller (configuration and health checker), the BGP speaker (its supplier answers null while
 * BGP is disabled or stopped) and the workers' nanosecond clock, which session expiries are
 * measured on. Any of them may be null: the endpoint then says the module is absent.
 *
 * <p>Threading: immutable holder; the referenced objects document their own contracts (all are
 * safe to read from the API thread while the workers run).
 */
public record StateSources(NatSessions natSessions, ConnectionTracker lbConnections,
                           LoadBalancerController loadBalancer, Supplier<BgpSpeaker> bgpSpeaker,
                           LongSupplier nanoClock) {
    /** Nothing running: every state endpoint answers that its module is absent. */
    public static final StateSources NONE = new StateSources(null, null, null, () -> null, System::nanoTime);

    public StateSources {
        bgpSpeaker = bgpSpeaker == null ? () -> null : bgpSpeaker;
        nanoClock = nanoClock == null ? System::nanoTime : nanoClock;
    }
}
