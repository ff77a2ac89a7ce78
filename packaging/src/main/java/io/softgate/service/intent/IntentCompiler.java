package io.softgate.service.intent;

import io.softgate.core.snapshot.ConfigSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Turns a validated {@link IntentDocument} into the next snapshot: resolves it into a
 * {@link CompiledIntent} (VRF names, parsed prefixes and port ranges, public addresses), starts
 * from the node's own tables ({@code base}, compiled from the configuration file), lets every
 * {@link IntentModuleAdapter} add its module's tables, and returns the builder only when none
 * objected, so a snapshot is always built whole or not at all.
 *
 * <p>Threading: stateless apart from its immutable adapter list; called by the thread applying a change.
 */
public final class IntentCompiler {
    private final Supplier<ConfigSnapshot.Builder> base;
    private final List<IntentModuleAdapter> adapters;

    public IntentCompiler(Supplier<ConfigSnapshot.Builder> base, List<IntentModuleAdapter> adapters) {
        this.base = base;
        this.adapters = List.copyOf(adapters);
    }

    /** The adapters of every feature module, in pipeline order; {@code config} is the node's file. */
    public static List<IntentModuleAdapter> defaultAdapters(io.softgate.service.config.SoftgateConfig config) {
        return List.of(new AclIntentAdapter(config), new LoadBalancerIntentAdapter(config), NatIntentAdapter.standalone(config),
            new ForwardingIntentAdapter(config));
    }

    public List<IntentModuleAdapter> adapters() {
        return adapters;
    }

    /** The snapshot for {@code document}, or the reasons it cannot be built. */
    public ConfigSnapshot.Builder compile(IntentDocument document) throws IntentRejectedException {
        List<IntentError> errors = IntentValidator.validate(document);
        if (!errors.isEmpty()) {
            throw new IntentRejectedException(400, errors);
        }
        return compileValid(document);
    }

    /**
     * The snapshot for a document {@link IntentValidator#validate} accepted, or the reasons the
     * modules refuse it (the checks only a module's compiler can make).
     */
    public ConfigSnapshot.Builder compileValid(IntentDocument document) throws IntentRejectedException {
        List<IntentError> errors = new ArrayList<>();
        CompiledIntent resolved = resolve(document);
        ConfigSnapshot.Builder builder = base.get().with(CompiledIntent.SLOT, resolved);
        for (IntentModuleAdapter adapter : adapters) {
            errors.addAll(adapter.contribute(resolved, builder));
        }
        if (!errors.isEmpty()) {
            throw new IntentRejectedException(400, errors);
        }
        return builder;
    }

    /** Resolves a valid document (names, prefixes, ports); exposed for tests and the state API. */
    public static CompiledIntent resolve(IntentDocument document) {
        Map<Integer, String> vrfNames = new HashMap<>();
        for (VpcIntent vpc : document.vpcs()) {
            vrfNames.put(vpc.id(), vpc.name());
        }
        List<CompiledIntent.Vrf> vrfs = new ArrayList<>();
        for (VpcIntent vpc : document.vpcs()) {
            List<Integer> vnis = new ArrayList<>();
            List<IpPrefix> gateways = new ArrayList<>();
            for (VnetIntent vnet : document.vnets()) {
                if (vnet.vpcId() == vpc.id()) {
                    vnis.add(vnet.vxlanId());
                    for (String gateway : vnet.gateways()) {
                        gateways.add(IpPrefix.parse(gateway));
                    }
                }
            }
            List<IpPrefix> allocations = new ArrayList<>();
            for (AllocationIntent allocation : document.allocations()) {
                if (allocation.vpcId() == vpc.id()) {
                    allocations.add(IpPrefix.parse(allocation.prefix()));
                }
            }
            List<CompiledIntent.Route> routes = new ArrayList<>();
            for (StaticRouteIntent route : document.routes()) {
                if (route.vpcId() == vpc.id()) {
                    routes.add(new CompiledIntent.Route(IpPrefix.parse(route.prefix()), IpPrefix.parse(route.nextHop())));
                }
            }
            vrfs.add(new CompiledIntent.Vrf(vpc.id(), vpc.name(), vpc.system(), vnis, gateways, allocations, routes));
        }
        // Insertion-ordered set: each address once, in first-use order (a list scan per rule was quadratic).
        java.util.Set<IpPrefix> publicAddresses = new java.util.LinkedHashSet<>();
        List<CompiledIntent.NatRule> nats = new ArrayList<>();
        for (NatIntent nat : document.nats()) {
            CompiledIntent.NatAction action = CompiledIntent.NatAction.valueOf(nat.action());
            int[] sourcePorts = ports(nat.sourcePort());
            int[] destinationPorts = ports(nat.destinationPort());
            IpPrefix translateTo = switch (action) {
                case SNAT -> IpPrefix.parse(nat.snatToIp() != null ? nat.snatToIp() : nat.snatToPool());
                case DNAT -> IpPrefix.parse(nat.dnatToIp());
                default -> null;
            };
            IpPrefix destination = prefixOrAny(nat.destinationAddress());
            if (action == CompiledIntent.NatAction.SNAT && translateTo != null) {
                addOnce(publicAddresses, translateTo);
            } else if (action == CompiledIntent.NatAction.DNAT) {
                addOnce(publicAddresses, destination);
            }
            nats.add(new CompiledIntent.NatRule(nat.id(), nat.name(), vrfNames.get(nat.vpcId()), action,
                protocol(nat.protocol()), prefixOrAny(nat.sourceAddress()), sourcePorts[0], sourcePorts[1],
                destination, destinationPorts[0], destinationPorts[1], translateTo,
                nat.dnatToPort() == null ? 0 : nat.dnatToPort(), !"disabled".equals(nat.state())));
        }
        List<CompiledIntent.LbService> services = new ArrayList<>();
        for (L4lbIntent lb : document.l4lbs()) {
            List<CompiledIntent.Backend> backends = new ArrayList<>();
            for (LbBackendIntent backend : lb.backends()) {
                backends.add(new CompiledIntent.Backend(IpPrefix.parse(backend.ip()), backend.port()));
            }
            IpPrefix vip = IpPrefix.parse(lb.ip());
            addOnce(publicAddresses, vip);
            services.add(new CompiledIntent.LbService(lb.id(), lb.name(), vrfNames.get(lb.vpcId()), protocol(lb.protocol()),
                vip, lb.port(), backends, lb.healthCheck(), lb.timeOut() == null ? 2 : lb.timeOut(), lb.requestPath(),
                "enable".equals(lb.status())));
        }
        List<CompiledIntent.AclRule> acls = new ArrayList<>();
        for (AclIntent acl : document.acls()) {
            acls.add(new CompiledIntent.AclRule(acl.id(), acl.name(), vrfNames.get(acl.vpcId()), "permit".equals(acl.action()),
                protocol(acl.proto()), IpPrefix.parse(acl.srcPrefix()), IpPrefix.parse(acl.dstPrefix()), acl.srcPortFrom(),
                acl.srcPortTo(), acl.dstPortFrom(), acl.dstPortTo(), acl.established(), acl.reverse(),
                acl.icmpType() == null ? -1 : acl.icmpType()));
        }
        // Netris ACLs are not an ordered list: the most specific rule wins. Order each VRF's rules
        // so a first-match classifier gives that answer: longer destination, then longer source
        // prefix first; on a tie, permit before deny; then the controller's order (stable sort).
        acls.sort(java.util.Comparator.comparing(CompiledIntent.AclRule::vrf)
            .thenComparing(rule -> -rule.destination().length())
            .thenComparing(rule -> -rule.source().length())
            .thenComparing(rule -> rule.permit() ? 0 : 1));
        return new CompiledIntent(document.generation(), vrfs, nats, services, acls, new ArrayList<>(publicAddresses));
    }

    private static void addOnce(java.util.Set<IpPrefix> set, IpPrefix prefix) {
        if (prefix != null) {
            set.add(prefix);
        }
    }

    private static IpPrefix prefixOrAny(String text) {
        IpPrefix prefix = text == null || text.isEmpty() ? null : IpPrefix.parse(text);
        return prefix != null ? prefix : IpPrefix.parse("0.0.0.0/0");
    }

    private static int[] ports(String text) {
        int[] range = PortRanges.parse(text);
        return range != null ? range : new int[] {0, 65535};
    }

    /** IP protocol number of a controller protocol name; 0 = any. */
    static int protocol(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "tcp" -> 6;
            case "udp" -> 17;
            case "icmp" -> 1;
            default -> CompiledIntent.ANY_PROTOCOL;
        };
    }
}
