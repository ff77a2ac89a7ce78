package io.softgate.evpn.forwarding.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything the forwarding half needs, independent of where it came from (configuration,
 * the REST API, BGP): the node, its VRFs, the routes in them and per-VTEP overrides.
 * {@link io.softgate.evpn.forwarding.compiler.ForwardingCompiler} turns it into tables.
 *
 * <p>Threading: immutable value (the lists are unmodifiable copies).
 */
public record ForwardingIntent(NodeIntent node, List<VrfIntent> vrfs, List<RouteIntent> routes,
                               List<RemoteVtepIntent> remoteVteps) {
    public ForwardingIntent {
        Objects.requireNonNull(node, "node");
        vrfs = List.copyOf(vrfs);
        routes = List.copyOf(routes);
        remoteVteps = List.copyOf(remoteVteps);
    }

    public static ForwardingIntent of(NodeIntent node, List<VrfIntent> vrfs, List<RouteIntent> routes) {
        return new ForwardingIntent(node, vrfs, routes, List.of());
    }

    /** The same intent with {@code more} routes appended (e.g. the routes BGP has learned). */
    public ForwardingIntent withAdditionalRoutes(List<RouteIntent> more) {
        List<RouteIntent> all = new ArrayList<>(routes.size() + more.size());
        all.addAll(routes);
        all.addAll(more);
        return new ForwardingIntent(node, vrfs, all, remoteVteps);
    }
}
