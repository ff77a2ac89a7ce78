package io.softgate.nat.compile;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.nat.config.NatAction;
import io.softgate.nat.config.NatConfig;
import io.softgate.nat.config.NatConfigException;
import io.softgate.nat.config.NatRule;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.config.PortAllocationMode;
import io.softgate.nat.config.VpcBinding;
import io.softgate.nat.session.SessionKeys;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Validates a {@link NatConfig} and compiles it into {@link NatTables}. A bad config throws a
 * {@link NatConfigException} naming the field and changes nothing.
 *
 * <p>Match order (deterministic, independent of the order the controller sent):
 * <ol>
 *   <li>Outbound, per VPC: ACCEPT_SNAT exclusions first, then the 1:1 outbound rules (each 1:1
 *       VM's own address), then SNAT and MASQUERADE. Inside each group: longer source prefix
 *       first, then longer destination prefix, then a named protocol before {@code all}, then the
 *       narrower source port range, then the narrower destination port range, then the rule name
 *       (ascending). The first match wins.</li>
 *   <li>Inbound (all VPCs): port forwards (DNAT with ports) before 1:1 mappings; inside each group
 *       a named protocol before {@code all}, then the narrower port range, then the name.
 *       Overlapping port forwards on one public address and protocol are rejected.</li>
 * </ol>
 * Disabled rules ({@code state = disabled}) are validated and then left out.
 *
 * <p>Threading: control thread only; the {@link ExternalAddressRegistry} it uses is not thread-safe.
 */
public final class NatRuleCompiler {
    private final ExternalAddressRegistry registry;
    // Each rule of the last successful compile, by everything its compiled form depends on: a
    // one-rule change (10,000 rules from the controller) compiles one rule, not all. Compiled rules
    // are immutable and their public addresses are the registry's, which never forgets one.
    // Keyed by "vpc/name" (a String's hash is cached; a record's hash of 13 fields is not and showed
    // in the cold first compile's profile); a hit is used only when all its inputs are equal.
    private Map<String, Memo> previousRules = Map.of();

    /** What {@link #compileRule} reads: the rule, its VPC binding, the VPC's masquerade address, the settings. */
    private record RuleInputs(NatRule rule, VpcBinding vpc, int masqueradeAddress, NatSettings settings) {
        boolean sameAs(RuleInputs other) {
            return masqueradeAddress == other.masqueradeAddress && (settings == other.settings || settings.equals(other.settings))
                && vpc.equals(other.vpc) && rule.equals(other.rule);
        }
    }

    /** One rule's compiled form and the inputs it was compiled from. */
    private record Memo(RuleInputs inputs, Ordered compiled) {
    }

    public NatRuleCompiler(ExternalAddressRegistry registry) {
        this.registry = registry;
    }

    public NatTables compile(NatConfig config) {
        NatSettings settings = config.settings() == null ? NatSettings.defaults() : config.settings();
        validateSettings(settings);
        Map<String, VpcBinding> vpcs = new HashMap<>();
        int maxVrf = config.publicVrf();
        if (maxVrf < 0 || maxVrf > SessionKeys.MAX_VRF) {
            throw new NatConfigException("publicVrf", "must be 0.." + SessionKeys.MAX_VRF + ": " + maxVrf);
        }
        for (VpcBinding vpc : config.vpcs()) {
            if (vpc.name() == null || vpc.name().isBlank()) {
                throw new NatConfigException("vpc.name", "must not be empty");
            }
            if (vpc.vrf() < 0 || vpc.vrf() > SessionKeys.MAX_VRF || vpc.vrf() == config.publicVrf()) {
                throw new NatConfigException("vpc[" + vpc.name() + "].vrf",
                    "must be 0.." + SessionKeys.MAX_VRF + " and differ from the public VRF: " + vpc.vrf());
            }
            if (vpcs.put(vpc.name(), vpc) != null) {
                throw new NatConfigException("vpc[" + vpc.name() + "].name", "duplicate VPC name");
            }
            maxVrf = Math.max(maxVrf, vpc.vrf());
        }
        String[] vpcNames = new String[maxVrf + 1];
        int[] masquerade = new int[maxVrf + 1];
        for (VpcBinding vpc : vpcs.values()) {
            vpcNames[vpc.vrf()] = vpc.name();
            if (vpc.masqueradeAddress() != null && !vpc.masqueradeAddress().isBlank()) {
                masquerade[vpc.vrf()] = address(vpc.masqueradeAddress(), "vpc[" + vpc.name() + "].masqueradeAddress");
            }
        }

        Map<Integer, List<Ordered>> outbound = new TreeMap<>();
        List<Ordered> inbound = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Map<String, Memo> compiledRules = new HashMap<>();
        for (NatRule rule : config.rules()) {
            String field = "rule[" + rule.name() + "]";
            if (rule.name() == null || rule.name().isBlank()) {
                throw new NatConfigException("rule.name", "must not be empty");
            }
            String key = rule.vpc() + "/" + rule.name();
            if (!names.add(key)) {
                throw new NatConfigException(field + ".name", "duplicate rule name in VPC " + rule.vpc());
            }
            if (rule.action() == null) {
                throw new NatConfigException(field + ".action", "must be SNAT, DNAT, MASQUERADE or ACCEPT_SNAT");
            }
            VpcBinding vpc = vpcs.get(rule.vpc());
            if (vpc == null) {
                throw new NatConfigException(field + ".vpc", "unknown VPC: " + rule.vpc());
            }
            boolean enabled = enabled(rule.state(), field + ".state");
            RuleInputs inputs = new RuleInputs(rule, vpc, masquerade[vpc.vrf()], settings);
            Memo previous = previousRules.get(key);
            Ordered compiled = previous != null && previous.inputs().sameAs(inputs) ? previous.compiled()
                : compileRule(rule, vpc, masquerade[vpc.vrf()], settings, field);
            compiledRules.put(key, new Memo(inputs, compiled));
            if (!enabled) {
                continue;
            }
            if (compiled.rule.kind == RuleKind.DESTINATION) {
                inbound.add(compiled);
                if (compiled.oneToOneSource != null) {
                    outbound.computeIfAbsent(vpc.vrf(), v -> new ArrayList<>()).add(compiled.oneToOneSource);
                }
            } else {
                outbound.computeIfAbsent(vpc.vrf(), v -> new ArrayList<>()).add(compiled);
            }
        }
        checkInboundConflicts(inbound);

        CompiledRule[][] outboundByVrf = new CompiledRule[maxVrf + 1][];
        for (Map.Entry<Integer, List<Ordered>> entry : outbound.entrySet()) {
            List<Ordered> rules = entry.getValue();
            rules.sort(ORDER);
            CompiledRule[] array = new CompiledRule[rules.size()];
            for (int i = 0; i < array.length; i++) {
                array[i] = rules.get(i).rule;
            }
            outboundByVrf[entry.getKey()] = array;
        }
        inbound.sort(ORDER);
        CompiledRule[] inboundArray = new CompiledRule[inbound.size()];
        for (int i = 0; i < inboundArray.length; i++) {
            inboundArray[i] = inbound.get(i).rule;
        }

        TreeMap<Long, ExternalAddress> owned = new TreeMap<>();
        for (CompiledRule[] rules : outboundByVrf) {
            if (rules != null) {
                for (CompiledRule rule : rules) {
                    addOwned(owned, rule.pool);
                }
            }
        }
        for (CompiledRule rule : inboundArray) {
            addOwned(owned, rule.pool);
        }
        reserveForwardedPorts(inboundArray, owned);
        rejectOneToOneInPools(outboundByVrf, inboundArray);
        int[] sorted = new int[owned.size()];
        ExternalAddress[] byPosition = new ExternalAddress[owned.size()];
        int position = 0;
        for (ExternalAddress external : owned.values()) {
            sorted[position] = external.address;
            byPosition[position] = external;
            if (settings.portAllocation() == PortAllocationMode.PORT_BLOCKS) {
                external.ports.prepareBlocks(settings.portRangeFirst(), settings.portRangeLast(),
                    settings.portBlockSize());
            }
            position++;
        }
        previousRules = compiledRules;
        return new NatTables(outboundByVrf, inboundArray, sorted, byPosition, vpcNames, masquerade,
            config.publicVrf(), settings);
    }

    /** Port forwards keep their public ports out of dynamic allocation on a shared address. */
    private static void reserveForwardedPorts(CompiledRule[] inbound, TreeMap<Long, ExternalAddress> owned) {
        Map<ExternalAddress, java.util.BitSet[]> wanted = new HashMap<>();
        for (ExternalAddress external : owned.values()) {
            wanted.put(external, new java.util.BitSet[] {new java.util.BitSet(), new java.util.BitSet(),
                new java.util.BitSet()});
        }
        for (CompiledRule rule : inbound) {
            boolean ports = rule.destinationPortFirst != 0 || rule.destinationPortLast != 65535;
            if (!ports) {
                continue;
            }
            java.util.BitSet[] sets = wanted.get(rule.pool[0]);
            if (rule.protocol == 6 || rule.protocol == CompiledRule.PROTOCOL_ALL) {
                sets[io.softgate.nat.session.ProtocolClass.TCP].set(rule.destinationPortFirst,
                    rule.destinationPortLast + 1);
            }
            if (rule.protocol == 17 || rule.protocol == CompiledRule.PROTOCOL_ALL) {
                sets[io.softgate.nat.session.ProtocolClass.UDP].set(rule.destinationPortFirst,
                    rule.destinationPortLast + 1);
            }
        }
        for (Map.Entry<ExternalAddress, java.util.BitSet[]> entry : wanted.entrySet()) {
            for (int c = 0; c < io.softgate.nat.session.ProtocolClass.COUNT; c++) {
                entry.getKey().ports.reservePorts(c, entry.getValue()[c]);
            }
        }
    }

    /** A 1:1 address belongs to one VM entirely; it cannot also be an SNAT pool address. */
    private static void rejectOneToOneInPools(CompiledRule[][] outboundByVrf, CompiledRule[] inbound) {
        // The first dynamic-source rule (in match order) whose pool holds each address, so the check
        // is one lookup per 1:1 rule instead of a scan of every pool.
        Map<ExternalAddress, CompiledRule> poolOwner = new java.util.IdentityHashMap<>();
        for (CompiledRule[] rules : outboundByVrf) {
            if (rules == null) {
                continue;
            }
            for (CompiledRule rule : rules) {
                if (rule.kind == RuleKind.DYNAMIC_SOURCE) {
                    for (ExternalAddress external : rule.pool) {
                        poolOwner.putIfAbsent(external, rule);
                    }
                }
            }
        }
        for (CompiledRule forward : inbound) {
            boolean oneToOne = forward.protocol == CompiledRule.PROTOCOL_ALL && forward.destinationPortFirst == 0
                && forward.destinationPortLast == 65535;
            CompiledRule rule = oneToOne ? poolOwner.get(forward.pool[0]) : null;
            if (rule != null) {
                throw new NatConfigException("rule[" + rule.name + "].snatToPool",
                    Ipv4Flyweight.format(forward.pool[0].address) + " is the 1:1 address of rule "
                        + forward.vpc + "/" + forward.name);
            }
        }
    }

    private static void addOwned(TreeMap<Long, ExternalAddress> owned, ExternalAddress[] pool) {
        if (pool != null) {
            for (ExternalAddress external : pool) {
                owned.put(external.address & 0xFFFF_FFFFL, external);
            }
        }
    }

    private Ordered compileRule(NatRule rule, VpcBinding vpc, int masqueradeAddress, NatSettings settings,
                                String field) {
        int protocol = protocol(rule.protocol(), field + ".protocol");
        int[] source = prefix(rule.sourceAddress(), field + ".sourceAddress");
        int[] destination = prefix(rule.destinationAddress(), field + ".destinationAddress");
        int[] sourcePorts = ports(rule.sourcePort(), field + ".sourcePort");
        int[] destinationPorts = ports(rule.destinationPort(), field + ".destinationPort");
        boolean sourcePortsSet = sourcePorts[0] != 0 || sourcePorts[1] != 65535;
        boolean destinationPortsSet = destinationPorts[0] != 0 || destinationPorts[1] != 65535;
        if ((sourcePortsSet || destinationPortsSet) && protocol != 6 && protocol != 17) {
            throw new NatConfigException(field + ".protocol", "ports need protocol tcp or udp");
        }
        switch (rule.action()) {
            case ACCEPT_SNAT:
                return new Ordered(new CompiledRule(rule.name(), vpc.name(), RuleKind.EXCLUDE, vpc.vrf(), protocol,
                    source[0], source[1], sourcePorts[0], sourcePorts[1], destination[0], destination[1],
                    destinationPorts[0], destinationPorts[1], null, 0, -1), 0);
            case SNAT:
            case MASQUERADE: {
                ExternalAddress[] pool;
                if (rule.action() == NatAction.MASQUERADE) {
                    if (masqueradeAddress == 0) {
                        throw new NatConfigException(field + ".action",
                            "MASQUERADE needs the VPC's masqueradeAddress, and VPC " + vpc.name() + " has none");
                    }
                    pool = new ExternalAddress[] {registry.intern(masqueradeAddress, settings, field + ".action")};
                } else {
                    pool = pool(rule, settings, field);
                }
                return new Ordered(new CompiledRule(rule.name(), vpc.name(), RuleKind.DYNAMIC_SOURCE, vpc.vrf(),
                    protocol, source[0], source[1], sourcePorts[0], sourcePorts[1], destination[0], destination[1],
                    destinationPorts[0], destinationPorts[1], pool, 0, -1), 2);
            }
            case DNAT:
            default:
                return compileDestination(rule, vpc, protocol, destination, destinationPorts, sourcePortsSet,
                    settings, field);
        }
    }

    private Ordered compileDestination(NatRule rule, VpcBinding vpc, int protocol, int[] destination,
                                       int[] destinationPorts, boolean sourcePortsSet, NatSettings settings,
                                       String field) {
        if (rule.destinationAddress() == null || destination[1] != -1) {
            throw new NatConfigException(field + ".destinationAddress", "DNAT needs one public address (a /32)");
        }
        if (rule.dnatToIP() == null || rule.dnatToIP().isBlank()) {
            throw new NatConfigException(field + ".dnatToIP", "DNAT needs dnatToIP");
        }
        if (sourcePortsSet) {
            throw new NatConfigException(field + ".sourcePort", "DNAT matches the public address and port only");
        }
        int target = address(rule.dnatToIP(), field + ".dnatToIP");
        boolean destinationPortsSet = destinationPorts[0] != 0 || destinationPorts[1] != 65535;
        int translatedPortBase = -1;
        if (rule.dnatToPort() != null) {
            int port = rule.dnatToPort();
            if (port < 1 || port > 65535) {
                throw new NatConfigException(field + ".dnatToPort", "must be 1..65535: " + port);
            }
            if (!destinationPortsSet) {
                throw new NatConfigException(field + ".destinationPort", "dnatToPort needs a destinationPort");
            }
            if (port + (destinationPorts[1] - destinationPorts[0]) > 65535) {
                throw new NatConfigException(field + ".dnatToPort", "port range runs past 65535");
            }
            translatedPortBase = port;
        }
        if (destinationPortsSet && destinationPorts[0] == 0) {
            throw new NatConfigException(field + ".destinationPort", "port 0 cannot be forwarded");
        }
        ExternalAddress publicAddress = registry.intern(destination[0], settings, field + ".destinationAddress");
        ExternalAddress[] pool = {publicAddress};
        CompiledRule inbound = new CompiledRule(rule.name(), vpc.name(), RuleKind.DESTINATION, vpc.vrf(), protocol,
            0, 0, 0, 65535, destination[0], -1, destinationPorts[0], destinationPorts[1], pool, target,
            translatedPortBase);
        boolean oneToOne = protocol == CompiledRule.PROTOCOL_ALL && !destinationPortsSet;
        Ordered ordered = new Ordered(inbound, oneToOne ? 1 : 0);
        if (oneToOne) {
            // The 1:1 VM's own outbound traffic leaves from its public address, ports kept.
            ordered.oneToOneSource = new Ordered(new CompiledRule(rule.name(), vpc.name(), RuleKind.STATIC_SOURCE,
                vpc.vrf(), CompiledRule.PROTOCOL_ALL, target, -1, 0, 65535, 0, 0, 0, 65535, pool, 0, -1), 1);
        }
        return ordered;
    }

    private ExternalAddress[] pool(NatRule rule, NatSettings settings, String field) {
        boolean hasIp = rule.snatToIP() != null && !rule.snatToIP().isBlank();
        boolean hasPool = rule.snatToPool() != null && !rule.snatToPool().isBlank();
        if (hasIp == hasPool) {
            throw new NatConfigException(field + ".snatToIP", "SNAT needs exactly one of snatToIP and snatToPool");
        }
        if (hasIp) {
            return new ExternalAddress[] {registry.intern(address(rule.snatToIP(), field + ".snatToIP"), settings,
                field + ".snatToIP")};
        }
        String text = rule.snatToPool().trim();
        long first;
        long last;
        if (text.contains("-")) {
            String[] parts = text.split("-", 2);
            first = address(parts[0].trim(), field + ".snatToPool") & 0xFFFF_FFFFL;
            last = address(parts[1].trim(), field + ".snatToPool") & 0xFFFF_FFFFL;
        } else {
            int[] prefix = prefix(text, field + ".snatToPool");
            first = prefix[0] & 0xFFFF_FFFFL;
            last = first | (~prefix[1] & 0xFFFF_FFFFL);
        }
        if (last < first || last - first >= 1024) {
            throw new NatConfigException(field + ".snatToPool", "pool must hold 1..1024 addresses: " + text);
        }
        ExternalAddress[] pool = new ExternalAddress[(int) (last - first + 1)];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = registry.intern((int) (first + i), settings, field + ".snatToPool");
        }
        return pool;
    }

    /**
     * Rejects two inbound rules of one order group on one public address whose protocols and
     * destination port ranges overlap. Sorted by (group, address, first port), a rule overlaps an
     * earlier one of its run exactly when some earlier rule of an overlapping protocol ends at or
     * after its first port, so one sweep keeping the furthest-reaching rule per protocol finds every
     * conflict in O(n log n) (a pairwise scan took seconds at 10,000 port forwards).
     */
    private static void checkInboundConflicts(List<Ordered> inbound) {
        int count = inbound.size();
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.<Integer>comparingInt(i -> inbound.get(i).group)
            .thenComparingInt(i -> inbound.get(i).rule.destinationAddress)
            .thenComparingInt(i -> inbound.get(i).rule.destinationPortFirst)
            .thenComparingInt(i -> i));
        // Furthest-reaching earlier rule of the current run, per protocol (index into inbound).
        Map<Integer, Integer> reach = new HashMap<>();
        int runStart = 0;
        for (int k = 0; k < count; k++) {
            Ordered current = inbound.get(order[k]);
            Ordered runHead = inbound.get(order[runStart]);
            if (current.group != runHead.group || current.rule.destinationAddress != runHead.rule.destinationAddress) {
                reach.clear();
                runStart = k;
            }
            CompiledRule rule = current.rule;
            for (Map.Entry<Integer, Integer> entry : reach.entrySet()) {
                int protocol = entry.getKey();
                boolean protocolsOverlap = protocol == rule.protocol || protocol == CompiledRule.PROTOCOL_ALL
                    || rule.protocol == CompiledRule.PROTOCOL_ALL;
                int earlier = entry.getValue();
                if (protocolsOverlap && inbound.get(earlier).rule.destinationPortLast >= rule.destinationPortFirst) {
                    // Name the pair in the controller's order: the later rule is the one refused.
                    int first = Math.min(earlier, order[k]);
                    int second = Math.max(earlier, order[k]);
                    CompiledRule a = inbound.get(first).rule;
                    CompiledRule b = inbound.get(second).rule;
                    throw new NatConfigException("rule[" + b.name + "].destinationPort",
                        "overlaps rule " + a.vpc + "/" + a.name + " on "
                            + Ipv4Flyweight.format(a.destinationAddress));
                }
            }
            Integer previous = reach.get(rule.protocol);
            if (previous == null || inbound.get(previous).rule.destinationPortLast < rule.destinationPortLast) {
                reach.put(rule.protocol, order[k]);
            }
        }
    }

    private static final Comparator<Ordered> ORDER = Comparator
        .comparingInt((Ordered o) -> o.group)
        .thenComparingInt(o -> -Integer.bitCount(o.rule.sourceMask))
        .thenComparingInt(o -> -Integer.bitCount(o.rule.destinationMask))
        .thenComparingInt(o -> o.rule.protocol == CompiledRule.PROTOCOL_ALL ? 1 : 0)
        .thenComparingInt(o -> o.rule.sourcePortLast - o.rule.sourcePortFirst)
        .thenComparingInt(o -> o.rule.destinationPortLast - o.rule.destinationPortFirst)
        .thenComparing(o -> o.rule.name)
        .thenComparing(o -> o.rule.vpc);

    private static boolean enabled(String state, String field) {
        if (state == null || state.equalsIgnoreCase("enabled") || state.equalsIgnoreCase("enable")) {
            return true;
        }
        if (state.equalsIgnoreCase("disabled") || state.equalsIgnoreCase("disable")) {
            return false;
        }
        throw new NatConfigException(field, "must be enabled or disabled: " + state);
    }

    static int protocol(String text, String field) {
        if (text == null || text.isBlank()) {
            return CompiledRule.PROTOCOL_ALL;
        }
        switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "all":
            case "any":
                return CompiledRule.PROTOCOL_ALL;
            case "tcp":
                return 6;
            case "udp":
                return 17;
            case "icmp":
                return 1;
            default:
                throw new NatConfigException(field, "must be all, tcp, udp or icmp: " + text);
        }
    }

    static int address(String text, String field) {
        try {
            int address = Ipv4Flyweight.parse(text.trim());
            if (address == 0) {
                throw new NatConfigException(field, "0.0.0.0 is not a usable address");
            }
            return address;
        } catch (IllegalArgumentException e) {
            if (e instanceof NatConfigException) {
                throw e;
            }
            throw new NatConfigException(field, "not an IPv4 address: " + text);
        }
    }

    /** Returns {address & mask, mask}; null or empty text means 0.0.0.0/0. */
    static int[] prefix(String text, String field) {
        if (text == null || text.isBlank()) {
            return new int[] {0, 0};
        }
        String trimmed = text.trim();
        int length = 32;
        String addressText = trimmed;
        int slash = trimmed.indexOf('/');
        if (slash >= 0) {
            addressText = trimmed.substring(0, slash);
            try {
                length = Integer.parseInt(trimmed.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new NatConfigException(field, "bad prefix length: " + text);
            }
            if (length < 0 || length > 32) {
                throw new NatConfigException(field, "prefix length must be 0..32: " + text);
            }
        }
        int address;
        try {
            address = Ipv4Flyweight.parse(addressText);
        } catch (IllegalArgumentException e) {
            throw new NatConfigException(field, "not an IPv4 address or prefix: " + text);
        }
        int mask = length == 0 ? 0 : -1 << (32 - length);
        return new int[] {address & mask, mask};
    }

    /** Returns {first, last}; null or empty text means 0..65535. */
    static int[] ports(String text, String field) {
        if (text == null || text.isBlank() || text.trim().equalsIgnoreCase("any")) {
            return new int[] {0, 65535};
        }
        String[] parts = text.trim().split("-", -1);
        if (parts.length > 2) {
            throw new NatConfigException(field, "port or range first-last expected: " + text);
        }
        try {
            int first = Integer.parseInt(parts[0].trim());
            int last = parts.length == 2 ? Integer.parseInt(parts[1].trim()) : first;
            if (first < 0 || last > 65535 || first > last) {
                throw new NatConfigException(field, "ports must be 0..65535 with first <= last: " + text);
            }
            return new int[] {first, last};
        } catch (NumberFormatException e) {
            throw new NatConfigException(field, "not a port or port range: " + text);
        }
    }

    private static void validateSettings(NatSettings s) {
        checkTimeout(s.udpTimeoutNs(), NatSettings.MIN_UDP_TIMEOUT_NS, "settings.udpTimeoutNs",
            "RFC 4787 REQ-5: at least 2 minutes");
        checkTimeout(s.tcpEstablishedTimeoutNs(), NatSettings.MIN_TCP_ESTABLISHED_TIMEOUT_NS,
            "settings.tcpEstablishedTimeoutNs", "RFC 5382 REQ-5: at least 2 hours 4 minutes");
        checkTimeout(s.tcpTransitoryTimeoutNs(), NatSettings.MIN_TCP_TRANSITORY_TIMEOUT_NS,
            "settings.tcpTransitoryTimeoutNs", "RFC 5382 REQ-5: at least 4 minutes");
        checkTimeout(s.icmpQueryTimeoutNs(), NatSettings.MIN_ICMP_QUERY_TIMEOUT_NS, "settings.icmpQueryTimeoutNs",
            "RFC 5508 (ICMP query session timeout): at least 60 seconds");
        check(s.portReuseHoldNs() >= NatSettings.MIN_PORT_REUSE_HOLD_NS, "settings.portReuseHoldNs",
            "RFC 6888 REQ-8 / DESIGN §8: a freed port is held at least 120 seconds");
        // A day is far beyond what the hold protects (see MAX_PORT_REUSE_HOLD_NS) and keeps now + hold
        // inside the port word's seconds.
        check(s.portReuseHoldNs() <= NatSettings.MAX_PORT_REUSE_HOLD_NS, "settings.portReuseHoldNs",
            "at most " + NatSettings.MAX_PORT_REUSE_HOLD_NS + " ns (one day): a held port serves no one, so a"
                + " longer hold only drains the address's port range (was " + s.portReuseHoldNs() + " ns)");
        check(s.filtering() != null, "settings.filtering", "must be set");
        check(s.portAllocation() != null, "settings.portAllocation", "must be set");
        check(s.portRangeFirst() >= 1 && s.portRangeFirst() <= s.portRangeLast() && s.portRangeLast() <= 65535,
            "settings.portRangeFirst", "range must satisfy 1 <= first <= last <= 65535");
        int rangeSize = s.portRangeLast() - s.portRangeFirst() + 1;
        check(s.portAllocation() != PortAllocationMode.PORT_BLOCKS
                || (s.portBlockSize() >= 1 && s.portBlockSize() <= rangeSize), "settings.portBlockSize",
            "must be 1..size of the port range");
        check(s.portsPerSubscriberLimit() >= 1, "settings.portsPerSubscriberLimit", "must be at least 1");
        check(s.portAllocation() != PortAllocationMode.PORT_BLOCKS || s.portBlockSize() <= s.portsPerSubscriberLimit(),
            "settings.portBlockSize", "must not exceed settings.portsPerSubscriberLimit (" + s.portsPerSubscriberLimit()
                + "): a subscriber could not get even one block of " + s.portBlockSize()
                + " ports, so every new flow would be refused");
        check(s.sessionsPerSubscriberLimit() >= 0, "settings.sessionsPerSubscriberLimit",
            "must be at least 1, or 0 for the default (maxSessions / 16, at least portsPerSubscriberLimit)");
        check(s.tcpMssClamp() == 0 || (s.tcpMssClamp() >= 536 && s.tcpMssClamp() <= 65535), "settings.tcpMssClamp",
            "0 (off) or 536..65535");
        check(s.icmpErrorsPerSecond() >= 0 && s.icmpErrorsPerSecond() <= MAX_ICMP_ERRORS_PER_SECOND,
            "settings.icmpErrorsPerSecond", "0 (never answer) .. " + MAX_ICMP_ERRORS_PER_SECOND);
    }

    /** Highest ICMP error rate one worker may originate (far above any sane setting; RFC 1812 §4.3.2.8). */
    public static final int MAX_ICMP_ERRORS_PER_SECOND = 1_000_000;

    /**
     * A timeout at least {@code minimumNs} (the RFC's) and at most {@link SessionKeys#MAX_TIMEOUT_NS},
     * the longest a session's idle deadline (2^20-ns ticks in an int) can hold without wrapping.
     */
    private static void checkTimeout(long timeoutNs, long minimumNs, String field, String minimum) {
        check(timeoutNs >= minimumNs, field, minimum);
        check(timeoutNs <= SessionKeys.MAX_TIMEOUT_NS, field, "at most " + SessionKeys.MAX_TIMEOUT_NS
            + " ns (26 days 1 h 29 min 58.7 s): a session's idle deadline is a 32-bit count of 2^20-ns ticks,"
            + " compared with wrap-around");
    }

    private static void check(boolean condition, String field, String message) {
        if (!condition) {
            throw new NatConfigException(field, message);
        }
    }

    /** A compiled rule with its order group. */
    private static final class Ordered {
        final CompiledRule rule;
        final int group;
        Ordered oneToOneSource;

        Ordered(CompiledRule rule, int group) {
            this.rule = rule;
            this.group = group;
        }
    }
}
