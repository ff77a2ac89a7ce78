package io.softgate.evpn.bgp.rib;

import io.softgate.evpn.bgp.EvpnRouteListener;
import io.softgate.evpn.bgp.IpPrefixRouteUpdate;
import io.softgate.evpn.bgp.MacIpRouteUpdate;
import io.softgate.evpn.bgp.attribute.ExtendedCommunitiesAttribute;
import io.softgate.evpn.bgp.community.MacMobilityExtendedCommunity;
import io.softgate.evpn.bgp.community.RouteTarget;
import io.softgate.evpn.bgp.evpn.IpPrefixRoute;
import io.softgate.evpn.bgp.evpn.MacIpAdvertisementRoute;
import io.softgate.evpn.bgp.nlri.Nlri;
import java.util.List;

/**
 * Turns Loc-RIB best-path changes of learned type-2 and type-5 routes into the decoded
 * updates {@link EvpnRouteListener}s receive. Locally originated routes are not reported.
 *
 * <p>Threading: confined to the speaker's event loop.
 */
public final class EvpnRouteEvents implements LocRib.BestPathListener {
    private static final System.Logger LOG = System.getLogger(EvpnRouteEvents.class.getName());
    private final List<EvpnRouteListener> listeners;

    /** {@code listeners} is read on every change; pass a thread-safe list to add listeners later. */
    public EvpnRouteEvents(List<EvpnRouteListener> listeners) {
        this.listeners = listeners;
    }

    @Override
    public void bestPathChanged(Nlri routeKey, Path previous, Path current) {
        if (!(routeKey instanceof IpPrefixRoute) && !(routeKey instanceof MacIpAdvertisementRoute)) {
            return;
        }
        if (current != null && !current.source().isLocal()) {
            dispatch(current, false);
        } else if (previous != null && !previous.source().isLocal()) {
            dispatch(previous, true);
        }
    }

    /**
     * Reports {@code path} again, as announced or withdrawn, whatever the Loc-RIB did: the speaker
     * calls it when a VRF added at run time imports a route learned earlier, or a removed VRF
     * stops importing one. Local paths and route types other than 2 and 5 are not reported.
     */
    public void report(Path path, boolean withdrawn) {
        if ((path.nlri() instanceof IpPrefixRoute || path.nlri() instanceof MacIpAdvertisementRoute)
                && !path.source().isLocal()) {
            dispatch(path, withdrawn);
        }
    }

    private void dispatch(Path path, boolean withdrawn) {
        ExtendedCommunitiesAttribute communities = path.attribute(ExtendedCommunitiesAttribute.class);
        List<RouteTarget> targets = path.routeTargets();
        long routersMac = communities == null ? -1 : communities.routersMac();
        if (path.nlri() instanceof IpPrefixRoute) {
            IpPrefixRoute route = (IpPrefixRoute) path.nlri();
            IpPrefixRouteUpdate update = new IpPrefixRouteUpdate(withdrawn, route.routeDistinguisher(), route.label(),
                    route.prefix(), route.prefixLength(), path.nextHop(), routersMac, targets);
            for (EvpnRouteListener listener : listeners) {
                try {
                    listener.ipPrefixRouteChanged(update);
                } catch (RuntimeException e) {
                    listenerFailed(e);
                }
            }
        } else {
            MacIpAdvertisementRoute route = (MacIpAdvertisementRoute) path.nlri();
            MacMobilityExtendedCommunity mobility = communities == null ? null
                    : communities.find(MacMobilityExtendedCommunity.class);
            MacIpRouteUpdate update = new MacIpRouteUpdate(withdrawn, route.routeDistinguisher(), route.label1(),
                    route.label2(), route.macAddress(), route.ipAddress(), path.nextHop(), routersMac, targets,
                    mobility == null ? -1 : mobility.sequenceNumber());
            for (EvpnRouteListener listener : listeners) {
                try {
                    listener.macIpRouteChanged(update);
                } catch (RuntimeException e) {
                    listenerFailed(e);
                }
            }
        }
    }

    /** A failing listener must not take a BGP session down with it: log and go on. */
    private static void listenerFailed(RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "EVPN route listener failed", e);
    }
}
