package io.softgate.service.intent;

import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.evpn.forwarding.compiler.ForwardingCompiler;
import io.softgate.evpn.forwarding.compiler.ForwardingConfigException;
import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.model.Ipv4Address;
import io.softgate.evpn.forwarding.model.Ipv6Address;
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
 * configuration file plus the controller's intent, and publishes the resulting
 * {@link ForwardingTables} in {@link ForwardingTables#SLOT}:
 * <ul>
 * <li>the node (VTEP, router MAC, underlay, ICMP budget) and the file's VRFs and VTEP routes, as
 * the file says;</li>
 * <li>one VRF per VPC that has at least one vNet, named as the VPC, whose L3VNI is the VXLAN id
 * of its first vNet (the Netris contract carries one VXLAN id per vNet and none per VPC), with
 * the first vNet's gateway addresses as the VRF's ICMP source;</li>
 * <li>not yet the VPCs' static routes: their next hop is an address inside the VPC, which becomes
 * a VTEP and router MAC only once the BGP speaker has learned that address's EVPN route.</li>
 * </ul>
 * A VPC whose name or VNI collides with the file's VRFs is refused with the compiler's reason.
 *
 * <p>Threading: stateless after construction; called by the thread applying a change.
 */
public final class ForwardingIntentAdapter implements IntentModuleAdapter {
    private final SoftgateConfig config;

    /** {@code config} may be null (tests without a node): then nothing is contributed. */
    public ForwardingIntentAdapter(SoftgateConfig config) {
        this.config = config;
    }

    @Override
    public String module() {
        return "forwarding";
    }

    @Override
    public boolean wired() {
        return config != null;
    }

    @Override
    public List<IntentError> contribute(CompiledIntent intent, ConfigSnapshot.Builder snapshot) {
        if (config == null) {
            return List.of();
        }
        // The file's part exactly as the service compiles it (ForwardingIntents), then the VPCs.
        ForwardingIntent base = ForwardingIntents.translate(config).intent();
        List<VrfIntent> vrfs = new ArrayList<>(base.vrfs());
        Set<String> fileVrfs = new HashSet<>();
        for (VrfIntent vrf : base.vrfs()) {
            fileVrfs.add(vrf.name());
        }
        for (CompiledIntent.Vrf vpc : intent.vrfs()) {
            if (vpc.vnis().isEmpty()) {
                continue;
            }
            if (fileVrfs.contains(vpc.name())) {
                return List.of(new IntentError("vpc[" + vpc.name() + "].name", "is a VRF of the configuration file"));
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
        }
        try {
            ForwardingTables tables = new ForwardingCompiler().compile(
                new ForwardingIntent(base.node(), vrfs, base.routes(), base.remoteVteps()));
            snapshot.with(ForwardingTables.SLOT, tables);
            return List.of();
        } catch (ForwardingConfigException e) {
            return List.of(new IntentError("forwarding." + e.field(), e.getMessage()));
        } catch (IllegalArgumentException e) {
            return List.of(new IntentError("forwarding", String.valueOf(e.getMessage())));
        }
    }
}
