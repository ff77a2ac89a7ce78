package io.softgate.service.intent;

import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.evpn.forwarding.compiler.ForwardingCompiler;
import io.softgate.evpn.forwarding.compiler.ForwardingConfigException;
import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.model.Ipv4Address;
import io.softgate.evpn.forwarding.model.Ipv6Address;
import io.softgate.evpn.forwarding.model.RouteIntent;
import io.softgate.evpn.forwarding.model.VrfIntent;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.pipeline.ForwardingIntents;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Feeds evpn-gateway's forwarding compiler ({@link ForwardingCompiler}) from the node's
 * configuration file, the controller's intent and the learned routes, and publishes the
 * resulting {@link ForwardingTables} in {@link ForwardingTables#SLOT}:
 * <ul>
 * <li>the node (VTEP, router MAC, underlay, ICMP budget) and the file's VRFs and static routes, as
 * the file says;</li>
 * <li>one VRF per VPC that has at least one vNet, named as the VPC, whose L3VNI is the VXLAN id
 * of its first vNet (the Netris contract carries one VXLAN id per vNet and none per VPC), with
 * the first vNet's gateway addresses as the VRF's ICMP source;</li>
 * <li>the VPCs' static routes, resolved by {@link StaticRouteResolver} (their next hop is an
 * address inside the VPC, reached through a learned or file route);</li>
 * <li>the routes BGP EVPN learned for any of these VRFs (a static route wins for the same prefix).</li>
 * </ul>
 * A VPC whose name or VNI collides with the file's VRFs is refused with the compiler's reason.
 *
 * <p>Threading: stateless after construction; called by the thread applying a change.
 */
public final class ForwardingIntentAdapter implements IntentModuleAdapter {
    private final FileInputs inputs;

    /** {@code config} may be null (tests without a node): then nothing is contributed. */
    public ForwardingIntentAdapter(SoftgateConfig config) {
        this(config == null ? null : FileInputs.of(config));
    }

    /** An adapter over the composer's inputs (null: nothing is contributed). */
    public ForwardingIntentAdapter(FileInputs inputs) {
        this.inputs = inputs;
    }

    @Override
    public String module() {
        return "forwarding";
    }

    @Override
    public boolean wired() {
        return inputs != null;
    }

    @Override
    public List<IntentError> contribute(CompiledIntent intent, ConfigSnapshot.Builder snapshot) {
        if (inputs == null) {
            return List.of();
        }
        try {
            snapshot.with(ForwardingTables.SLOT, compile(inputs.config(), intent, inputs.learnedRoutes()));
            return List.of();
        } catch (IntentRejectedException e) {
            return e.errors();
        }
    }

    /** The forwarding tables of the file, {@code intent} (null: none) and {@code learned} routes. */
    public static ForwardingTables compile(SoftgateConfig config, CompiledIntent intent, List<RouteIntent> learned)
        throws IntentRejectedException {
        ForwardingIntent merged = intent(config, intent, learned);
        try {
            return new ForwardingCompiler().compile(merged);
        } catch (ForwardingConfigException e) {
            throw new IntentRejectedException(400, List.of(new IntentError("forwarding." + e.field(), e.getMessage())));
        } catch (IllegalArgumentException e) {
            throw new IntentRejectedException(400, List.of(new IntentError("forwarding", String.valueOf(e.getMessage()))));
        }
    }

    /**
     * The forwarding compiler's intent for the file, {@code intent}'s VPCs and resolved static
     * routes, and the {@code learned} routes of VRFs that exist (a deleted VPC's learned routes
     * are left out until BGP withdraws them).
     */
    public static ForwardingIntent intent(SoftgateConfig config, CompiledIntent intent, List<RouteIntent> learned)
        throws IntentRejectedException {
        // The file's part exactly as the service compiles it (ForwardingIntents), then the VPCs.
        ForwardingIntent base = ForwardingIntents.translate(config).intent();
        List<VrfIntent> vrfs = new ArrayList<>(base.vrfs());
        Set<String> names = new HashSet<>();
        for (VrfIntent vrf : base.vrfs()) {
            names.add(vrf.name());
        }
        Set<String> fileVrfs = Set.copyOf(names);
        if (intent != null) {
            for (CompiledIntent.Vrf vpc : intent.vrfs()) {
                if (vpc.vnis().isEmpty()) {
                    continue;
                }
                if (fileVrfs.contains(vpc.name())) {
                    throw new IntentRejectedException(400, List.of(new IntentError("vpc[" + vpc.name() + "].name",
                        "is a VRF of the configuration file (the file's VRF stays; rename the VPC)")));
                }
                Ipv4Address gateway4 = null;
                Ipv6Address gateway6 = null;
                for (IpPrefix gateway : vpc.gateways()) {
                    String address = gateway.toString().substring(0, gateway.toString().indexOf('/'));
                    if (gateway.isIpv4() && gateway4 == null) {
                        gateway4 = Ipv4Address.parse(address);
                    } else if (!gateway.isIpv4() && gateway6 == null) {
                        gateway6 = Ipv6Address.parse(address);
                    }
                }
                vrfs.add(VrfIntent.of(vpc.name(), vpc.vnis().get(0), vrfs.size()).withGateways(gateway4, gateway6));
                names.add(vpc.name());
            }
        }
        List<RouteIntent> usableLearned = new ArrayList<>();
        for (RouteIntent route : learned) {
            if (names.contains(route.vrf())) {
                usableLearned.add(route);
            }
        }
        List<RouteIntent> routes = new ArrayList<>(base.routes());
        if (intent != null) {
            List<RouteIntent> candidates = new ArrayList<>(base.routes());
            candidates.addAll(usableLearned);
            List<StaticRouteResolver.Resolution> resolved = StaticRouteResolver.resolve(intent, candidates);
            for (StaticRouteResolver.Resolution resolution : resolved) {
                if (names.contains(resolution.vrf())) {
                    routes.addAll(StaticRouteResolver.routes(List.of(resolution)));
                }
            }
        }
        routes.addAll(usableLearned);
        return new ForwardingIntent(base.node(), vrfs, routes, base.remoteVteps());
    }
}
