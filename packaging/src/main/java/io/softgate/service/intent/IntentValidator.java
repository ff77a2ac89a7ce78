package io.softgate.service.intent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks a whole {@link IntentDocument} (formats, ranges, references, uniqueness and the address
 * rules of NAT and load balancing) and returns every problem with its field path, e.g.
 * {@code nat[D1-A2-Z1-V3-vpc1-SNAT].snatToIP: 203.0.113.9 is outside every NAT subnet}. A clash
 * between two objects (a duplicate name, VXLAN id or route, an address two services claim, an
 * allocation overlapping another of its VPC) is marked as a conflict ({@link IntentError#conflict}).
 *
 * <p>Threading: stateless.
 */
public final class IntentValidator {
    public static final int MAX_VNI = 0xFF_FFFF;
    public static final int MAX_NAME_LENGTH = 255;
    static final Set<String> NAT_ACTIONS = Set.of("SNAT", "DNAT", "MASQUERADE", "ACCEPT_SNAT");
    static final Set<String> NAT_PROTOCOLS = Set.of("ALL", "TCP", "UDP", "ICMP");
    static final Set<String> NAT_STATES = Set.of("enabled", "disabled");
    static final Set<String> LB_PROTOCOLS = Set.of("TCP", "UDP");
    static final Set<String> LB_STATUSES = Set.of("enable", "disable");
    static final Set<String> LB_HEALTH_CHECKS = Set.of("None", "TCP", "HTTP");
    static final Set<String> ACL_ACTIONS = Set.of("permit", "deny");
    static final Set<String> ACL_PROTOCOLS = Set.of("all", "ip", "tcp", "udp", "icmp");
    static final Set<String> SUBNET_PURPOSES = Set.of(SubnetIntent.COMMON, SubnetIntent.NAT, SubnetIntent.LOAD_BALANCER);

    private final IntentDocument document;
    private final List<IntentError> errors = new ArrayList<>();
    private final Map<Integer, VpcIntent> vpcs = new HashMap<>();
    private List<IpPrefix> subnetPrefixes;
    private List<IpPrefix> allocationPrefixes;

    private IntentValidator(IntentDocument document) {
        this.document = document;
    }

    /** Every problem in {@code document}; empty when it can be compiled. */
    public static List<IntentError> validate(IntentDocument document) {
        IntentValidator validator = new IntentValidator(document);
        validator.check();
        return List.copyOf(validator.errors);
    }

    private void check() {
        checkVpcs();
        checkAllocations();
        checkSubnets();
        checkVnets();
        checkNats();
        checkL4lbs();
        checkAcls();
        checkRoutes();
        checkIdsUnique();
    }

    private void checkVpcs() {
        Set<String> names = new HashSet<>();
        int systemCount = 0;
        for (VpcIntent vpc : document.vpcs()) {
            ItemPath path = new ItemPath("vpc", vpc.name());
            name(path, ".name", vpc.name());
            if (!names.add(vpc.name())) {
                conflict(path.field(".name"), "duplicate VPC name '" + vpc.name() + "'");
            }
            if (vpc.adminTenantId() != IntentDocument.ADMIN_TENANT_ID) {
                error(path.field(".adminTenant.id"), "unknown tenant " + vpc.adminTenantId());
            }
            if (vpc.system()) {
                systemCount++;
            }
            vpcs.put(vpc.id(), vpc);
        }
        if (systemCount != 1) {
            error("vpc", "exactly one system VPC is required (found " + systemCount + ")");
        }
    }

    private void checkAllocations() {
        Set<String> names = new HashSet<>();
        // Overlaps only matter inside one VPC: compare each allocation with the earlier ones of its VPC.
        Map<Integer, List<Integer>> earlierByVpc = new HashMap<>();
        List<AllocationIntent> all = document.allocations();
        for (int i = 0; i < all.size(); i++) {
            AllocationIntent allocation = all.get(i);
            ItemPath path = new ItemPath("allocation", allocation.name());
            name(path, ".name", allocation.name());
            if (!names.add(allocation.name())) {
                conflict(path.field(".name"), "duplicate allocation name '" + allocation.name() + "'");
            }
            vpc(path, ".vpc", allocation.vpcId());
            IpPrefix prefix = networkPrefix(path, ".prefix", allocation.prefix());
            List<Integer> earlier = earlierByVpc.computeIfAbsent(allocation.vpcId(), vpc -> new ArrayList<>());
            for (int j = 0; prefix != null && j < earlier.size(); j++) {
                AllocationIntent other = all.get(earlier.get(j));
                IpPrefix otherPrefix = allocationPrefixes().get(earlier.get(j));
                if (otherPrefix != null && otherPrefix.overlaps(prefix)) {
                    conflict(path.field(".prefix"), allocation.prefix() + " overlaps allocation '" + other.name() + "' ("
                        + other.prefix() + ") of the same VPC");
                }
            }
            earlier.add(i);
        }
    }

    private void checkSubnets() {
        Set<String> names = new HashSet<>();
        for (SubnetIntent subnet : document.subnets()) {
            ItemPath path = new ItemPath("subnet", subnet.name());
            name(path, ".name", subnet.name());
            if (!names.add(subnet.vpcId() + "/" + subnet.name())) {
                conflict(path.field(".name"), "duplicate subnet name '" + subnet.name() + "' in VPC " + subnet.vpcId());
            }
            vpc(path, ".vpc", subnet.vpcId());
            oneOf(path, ".purpose", SUBNET_PURPOSES, subnet.purpose(), "must be one of " + SUBNET_PURPOSES);
            IpPrefix prefix = networkPrefix(path, ".prefix", subnet.prefix());
            if (prefix != null && allocationOf(subnet.vpcId(), prefix) == null) {
                error(path.field(".prefix"), subnet.prefix() + " is inside no allocation of VPC " + subnet.vpcId());
            }
        }
    }

    private void checkVnets() {
        Set<String> names = new HashSet<>();
        Map<Integer, String> vxlanIds = new HashMap<>();
        for (VnetIntent vnet : document.vnets()) {
            ItemPath path = new ItemPath("vnet", vnet.name());
            name(path, ".name", vnet.name());
            if (!names.add(vnet.name())) {
                conflict(path.field(".name"), "duplicate vNet name '" + vnet.name() + "'");
            }
            vpc(path, ".vpc", vnet.vpcId());
            if (vnet.vxlanId() < 1 || vnet.vxlanId() > MAX_VNI) {
                error(path.field(".vxlanID"), "must be 1.." + MAX_VNI + " (was " + vnet.vxlanId() + ")");
            } else {
                String previous = vxlanIds.putIfAbsent(vnet.vxlanId(), vnet.name());
                if (previous != null) {
                    conflict(path.field(".vxlanID"), "VXLAN id " + vnet.vxlanId() + " is already used by vNet '" + previous + "'");
                }
            }
            if (vnet.gateways().isEmpty()) {
                error(path.field(".gateways"), "at least one gateway prefix is required");
            }
            for (int g = 0; g < vnet.gateways().size(); g++) {
                String gateway = vnet.gateways().get(g);
                IpPrefix prefix = IpPrefix.parse(gateway);
                if (prefix == null || gateway.indexOf('/') < 0) {
                    error(path.field(".gateways[" + g + "].prefix"), "not an address/length: '" + gateway + "'");
                }
            }
        }
    }

    private void checkNats() {
        Set<String> names = new HashSet<>();
        Map<IpPrefix, String> snatAddresses = new HashMap<>();
        for (NatIntent nat : document.nats()) {
            if ("SNAT".equals(nat.action()) && nat.snatToIp() != null) {
                IpPrefix to = IpPrefix.parse(nat.snatToIp());
                if (to != null) {
                    snatAddresses.putIfAbsent(to.network(), nat.name());
                }
            }
        }
        Map<DnatKey, String> dnatKeys = new HashMap<>();
        for (NatIntent nat : document.nats()) {
            ItemPath path = new ItemPath("nat", nat.name());
            name(path, ".name", nat.name());
            if (!names.add(nat.name())) {
                conflict(path.field(".name"), "duplicate NAT rule name '" + nat.name() + "'");
            }
            vpc(path, ".vpc", nat.vpcId());
            if (!oneOf(path, ".action", NAT_ACTIONS, nat.action(), "must be one of " + NAT_ACTIONS)) {
                continue;
            }
            boolean knownProtocol = oneOf(path, ".protocol", NAT_PROTOCOLS, nat.protocol(), "must be one of " + NAT_PROTOCOLS);
            if (nat.state() != null && !NAT_STATES.contains(nat.state())) {
                error(path.field(".state"), "must be one of " + NAT_STATES + " (was '" + nat.state() + "')");
            }
            optionalPrefix(path, ".sourceAddress", nat.sourceAddress());
            IpPrefix destination = optionalPrefix(path, ".destinationAddress", nat.destinationAddress());
            portRange(path, ".sourcePort", nat.sourcePort());
            int[] destinationPorts = portRange(path, ".destinationPort", nat.destinationPort());
            switch (nat.action()) {
                case "SNAT" -> {
                    if (nat.snatToIp() == null && nat.snatToPool() == null) {
                        error(path.field(".snatToIP"), "SNAT needs snatToIP or snatToPool");
                    }
                    natAddress(path, ".snatToIP", nat.snatToIp());
                    natAddress(path, ".snatToPool", nat.snatToPool());
                }
                case "DNAT" -> {
                    if (nat.dnatToIp() == null) {
                        error(path.field(".dnatToIP"), "DNAT needs dnatToIP");
                    } else if (hostAddress(path, ".dnatToIP", nat.dnatToIp()) == null) {
                        break;
                    }
                    if (nat.dnatToPort() != null && (nat.dnatToPort() < 1 || nat.dnatToPort() > 65535)) {
                        error(path.field(".dnatToPort"), "must be 1..65535 (was " + nat.dnatToPort() + ")");
                    }
                    if (destination == null || !isHost(destination)) {
                        error(path.field(".destinationAddress"), "DNAT needs a public /32 or /128 destinationAddress (was '"
                            + nat.destinationAddress() + "')");
                        break;
                    }
                    if (!inPurposeSubnet(destination, SubnetIntent.NAT)) {
                        error(path.field(".destinationAddress"), destination + " is outside every NAT subnet");
                    }
                    String snat = snatAddresses.get(destination.network());
                    if (snat != null) {
                        conflict(path.field(".destinationAddress"), destination + " is the SNAT address of rule '" + snat
                            + "'; an address serves SNAT or another service, not both");
                    }
                    if (!knownProtocol) {
                        break; // reported above; what the rule translates is keyed by its protocol
                    }
                    String protocol = nat.protocol();
                    DnatKey key = destinationPorts == null ? new DnatKey(destination, protocol, -1, -1)
                        : new DnatKey(destination, protocol, destinationPorts[0], destinationPorts[1]);
                    DnatKey all = new DnatKey(destination, "ALL", -1, -1);
                    String previous = dnatKeys.putIfAbsent(key, nat.name());
                    if (previous != null) {
                        conflict(path.field(".destinationAddress"), destination + " " + protocol + " port " + nat.destinationPort()
                            + " is already translated by rule '" + previous + "'");
                    } else if (!key.equals(all) && dnatKeys.containsKey(all)) {
                        conflict(path.field(".destinationAddress"), destination + " is already a static NAT of rule '" + dnatKeys.get(all) + "'");
                    }
                }
                default -> {
                }
            }
        }
    }

    /**
     * What one DNAT rule translates: address, protocol name, destination ports ({@code -1}: any).
     * Hash and equality written out: a record's generated ones run through method handles, which
     * showed in the profile of a 10,000-rule validation.
     */
    private record DnatKey(IpPrefix destination, String protocol, int fromPort, int toPort) {
        @Override
        public boolean equals(Object other) {
            return other instanceof DnatKey key && fromPort == key.fromPort && toPort == key.toPort
                && protocol.equals(key.protocol) && destination.equals(key.destination);
        }

        @Override
        public int hashCode() {
            return ((destination.hashCode() * 31 + protocol.hashCode()) * 31 + fromPort) * 31 + toPort;
        }
    }

    /**
     * Where an item's errors go, {@code kind[name]}, joined with a field's path only for an error:
     * a 10,000-rule document would otherwise build about ten path strings per rule for nothing.
     */
    private record ItemPath(String kind, String name) {
        String field(String field) {
            return kind + "[" + name + "]" + field;
        }
    }

    private void checkL4lbs() {
        Set<String> names = new HashSet<>();
        Map<String, String> vips = new HashMap<>();
        Set<IpPrefix> snat = new HashSet<>();
        for (NatIntent nat : document.nats()) {
            IpPrefix to = "SNAT".equals(nat.action()) && nat.snatToIp() != null ? IpPrefix.parse(nat.snatToIp()) : null;
            if (to != null) {
                snat.add(to.network());
            }
        }
        for (L4lbIntent lb : document.l4lbs()) {
            ItemPath path = new ItemPath("l4lb", lb.name());
            name(path, ".name", lb.name());
            if (!names.add(lb.name())) {
                conflict(path.field(".name"), "duplicate load-balancer name '" + lb.name() + "'");
            }
            vpc(path, ".vpc", lb.vpcId());
            oneOf(path, ".protocol", LB_PROTOCOLS, lb.protocol(), "must be TCP or UDP");
            oneOf(path, ".status", LB_STATUSES, lb.status(), "must be enable or disable");
            oneOf(path, ".healthCheck", LB_HEALTH_CHECKS, lb.healthCheck(), "must be one of " + LB_HEALTH_CHECKS);
            if (lb.port() < 1 || lb.port() > 65535) {
                error(path.field(".port"), "must be 1..65535 (was " + lb.port() + ")");
            }
            if (lb.timeOut() != null && (lb.timeOut() < 1 || lb.timeOut() > 3600)) {
                error(path.field(".timeOut"), "must be 1..3600 (was " + lb.timeOut() + ")");
            }
            byte[] vip = hostAddress(path, ".ip", lb.ip());
            if (vip != null) {
                IpPrefix vipPrefix = IpPrefix.parse(lb.ip());
                if (!inPurposeSubnet(vipPrefix, SubnetIntent.LOAD_BALANCER)) {
                    error(path.field(".ip"), lb.ip() + " is outside every load-balancer subnet");
                }
                if (snat.contains(vipPrefix.network())) {
                    conflict(path.field(".ip"), lb.ip() + " is an SNAT address; an address serves SNAT or another service, not both");
                }
                String previous = vips.putIfAbsent(lb.ip() + "|" + lb.protocol() + "|" + lb.port(), lb.name());
                if (previous != null) {
                    conflict(path.field(".ip"), lb.ip() + " " + lb.protocol() + " port " + lb.port() + " is already served by '" + previous + "'");
                }
            }
            if (lb.backends().isEmpty()) {
                error(path.field(".backend"), "at least one backend is required");
            }
            for (int b = 0; b < lb.backends().size(); b++) {
                LbBackendIntent backend = lb.backends().get(b);
                hostAddress(path, ".backend[" + b + "].ip", backend.ip());
                if (backend.port() < 1 || backend.port() > 65535) {
                    error(path.field(".backend[" + b + "].port"), "must be 1..65535 (was " + backend.port() + ")");
                }
            }
        }
    }

    private void checkAcls() {
        Set<String> names = new HashSet<>();
        for (AclIntent acl : document.acls()) {
            ItemPath path = new ItemPath("acl", acl.name());
            name(path, ".name", acl.name());
            if (!names.add(acl.vpcId() + "/" + acl.name())) {
                conflict(path.field(".name"), "duplicate ACL name '" + acl.name() + "' in VPC " + acl.vpcId());
            }
            vpc(path, ".vpc", acl.vpcId());
            oneOf(path, ".action", ACL_ACTIONS, acl.action(), "must be permit or deny");
            oneOf(path, ".proto", ACL_PROTOCOLS, acl.proto(), "must be one of " + ACL_PROTOCOLS);
            if (IpPrefix.parse(acl.srcPrefix()) == null) {
                error(path.field(".srcPrefix"), "not a prefix: '" + acl.srcPrefix() + "'");
            }
            if (IpPrefix.parse(acl.dstPrefix()) == null) {
                error(path.field(".dstPrefix"), "not a prefix: '" + acl.dstPrefix() + "'");
            }
            ports(path.field(".srcPort"), acl.srcPortFrom(), acl.srcPortTo());
            ports(path.field(".dstPort"), acl.dstPortFrom(), acl.dstPortTo());
            if (acl.icmpType() != null && (acl.icmpType() < -1 || acl.icmpType() > 255)) {
                error(path.field(".icmpType"), "must be -1..255 (was " + acl.icmpType() + ")");
            }
        }
    }

    private void checkRoutes() {
        Set<String> keys = new HashSet<>();
        for (StaticRouteIntent route : document.routes()) {
            ItemPath path = new ItemPath("route", route.prefix());
            vpc(path, ".vpc", route.vpcId());
            IpPrefix prefix = networkPrefix(path, ".prefix", route.prefix());
            byte[] nextHop = hostAddress(path, ".nextHop", route.nextHop());
            if (prefix != null && nextHop != null && (nextHop.length == 4) != prefix.isIpv4()) {
                error(path.field(".nextHop"), "address family differs from the prefix");
            }
            if (!keys.add(route.vpcId() + "/" + route.prefix())) {
                conflict(path.field(".prefix"), "duplicate route " + route.prefix() + " in VPC " + route.vpcId());
            }
        }
    }

    private void checkIdsUnique() {
        Set<Integer> ids = new HashSet<>();
        List<Integer> all = new ArrayList<>();
        document.vpcs().forEach(x -> all.add(x.id()));
        document.allocations().forEach(x -> all.add(x.id()));
        document.subnets().forEach(x -> all.add(x.id()));
        document.vnets().forEach(x -> all.add(x.id()));
        document.nats().forEach(x -> all.add(x.id()));
        document.l4lbs().forEach(x -> all.add(x.id()));
        document.acls().forEach(x -> all.add(x.id()));
        document.routes().forEach(x -> all.add(x.id()));
        for (int id : all) {
            if (id <= 0 || id >= document.nextId() || !ids.add(id)) {
                error("id", "id " + id + " is not unique or out of range");
            }
        }
    }

    // --- helpers -------------------------------------------------------------------------

    // The helpers take an item's path and the field apart and join them only for an error.

    private void name(ItemPath path, String field, String value) {
        if (value == null || value.isBlank()) {
            error(path.field(field), "required");
        } else if (value.length() > MAX_NAME_LENGTH) {
            error(path.field(field), "longer than " + MAX_NAME_LENGTH + " characters");
        } else if (hasControlCharacter(value)) {
            error(path.field(field), "contains a control character");
        }
    }

    /**
     * True when {@code value} is one of {@code allowed}; else reports the field: "required" for a
     * null (a document whose field is missing or null; the sets are {@code Set.of}, whose
     * {@code contains(null)} throws), {@code otherwise} with the value for anything else.
     */
    private boolean oneOf(ItemPath path, String field, Set<String> allowed, String value, String otherwise) {
        if (value == null) {
            error(path.field(field), "required");
            return false;
        }
        if (!allowed.contains(value)) {
            error(path.field(field), otherwise + " (was '" + value + "')");
            return false;
        }
        return true;
    }

    private static boolean hasControlCharacter(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                return true;
            }
        }
        return false;
    }

    private void vpc(ItemPath path, String field, int id) {
        if (!vpcs.containsKey(id)) {
            error(path.field(field), "unknown VPC " + id);
        }
    }

    private IpPrefix networkPrefix(ItemPath path, String field, String text) {
        IpPrefix prefix = IpPrefix.parse(text);
        if (prefix == null || text.indexOf('/') < 0) {
            error(path.field(field), "not a prefix (address/length): '" + text + "'");
            return null;
        }
        if (prefix.hasHostBits()) {
            error(path.field(field), "host bits set beyond the prefix length in " + text);
            return null;
        }
        return prefix;
    }

    private IpPrefix optionalPrefix(ItemPath path, String field, String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        IpPrefix prefix = IpPrefix.parse(text);
        if (prefix == null) {
            error(path.field(field), "not a prefix: '" + text + "'");
        }
        return prefix;
    }

    private byte[] hostAddress(ItemPath path, String field, String text) {
        IpPrefix prefix = text == null ? null : IpPrefix.parse(text);
        if (prefix == null || !isHost(prefix)) {
            error(path.field(field), "not an address: '" + text + "'");
            return null;
        }
        return prefix.address();
    }

    private void natAddress(ItemPath path, String field, String text) {
        if (text == null) {
            return;
        }
        IpPrefix prefix = IpPrefix.parse(text);
        if (prefix == null) {
            error(path.field(field), "not an address or prefix: '" + text + "'");
            return;
        }
        if (!inPurposeSubnet(prefix, SubnetIntent.NAT)) {
            error(path.field(field), text + " is outside every NAT subnet");
        }
    }

    private static boolean isHost(IpPrefix prefix) {
        return prefix.length() == prefix.address().length * 8;
    }

    private boolean inPurposeSubnet(IpPrefix address, String purpose) {
        List<SubnetIntent> subnets = document.subnets();
        for (int i = 0; i < subnets.size(); i++) {
            IpPrefix prefix = subnetPrefixes().get(i);
            if (purpose.equals(subnets.get(i).purpose()) && prefix != null && prefix.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private AllocationIntent allocationOf(int vpcId, IpPrefix prefix) {
        List<AllocationIntent> allocations = document.allocations();
        for (int i = 0; i < allocations.size(); i++) {
            IpPrefix candidate = allocationPrefixes().get(i);
            if (allocations.get(i).vpcId() == vpcId && candidate != null && candidate.contains(prefix)) {
                return allocations.get(i);
            }
        }
        return null;
    }

    /** Every subnet's parsed prefix (null when unparsable), by index; parsed once per validation. */
    private List<IpPrefix> subnetPrefixes() {
        if (subnetPrefixes == null) {
            subnetPrefixes = new ArrayList<>();
            for (SubnetIntent subnet : document.subnets()) {
                subnetPrefixes.add(IpPrefix.parse(subnet.prefix()));
            }
        }
        return subnetPrefixes;
    }

    /** Every allocation's parsed prefix (null when unparsable), by index; parsed once per validation. */
    private List<IpPrefix> allocationPrefixes() {
        if (allocationPrefixes == null) {
            allocationPrefixes = new ArrayList<>();
            for (AllocationIntent allocation : document.allocations()) {
                allocationPrefixes.add(IpPrefix.parse(allocation.prefix()));
            }
        }
        return allocationPrefixes;
    }

    /** "80", "1-65535" or empty (any) -> {from, to}; null for any or on error. */
    private int[] portRange(ItemPath path, String field, String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        int[] range = PortRanges.parse(text);
        if (range == null) {
            error(path.field(field), "not a port or port range 1-65535: '" + text + "'");
        }
        return range;
    }

    private void ports(String path, int from, int to) {
        if (from < 0 || from > 65535 || to < 0 || to > 65535 || from > to) {
            error(path + "From", "port range " + from + "-" + to + " must satisfy 0 <= from <= to <= 65535");
        }
    }

    private void error(String path, String reason) {
        errors.add(new IntentError(path, reason));
    }

    /** A clash with another object (a name, an id, an address it already has): see {@link IntentError#conflict}. */
    private void conflict(String path, String reason) {
        errors.add(IntentError.ofConflict(path, reason));
    }

    static String upper(String text) {
        return text == null ? null : text.toUpperCase(Locale.ROOT);
    }
}
