package io.softgate.service.features;

import io.softgate.acl.model.AclAction;
import io.softgate.acl.model.AclConfig;
import io.softgate.acl.model.AclProtocol;
import io.softgate.acl.model.AclRule;
import io.softgate.acl.model.IpPrefix;
import io.softgate.lb.compile.ValidationError;
import io.softgate.lb.model.Backend;
import io.softgate.lb.model.BackendAdminState;
import io.softgate.lb.model.HealthCheck;
import io.softgate.lb.model.HealthCheckType;
import io.softgate.lb.model.LbProtocol;
import io.softgate.lb.model.LoadBalancerConfig;
import io.softgate.lb.model.LoadBalancerService;
import io.softgate.nat.config.NatConfig;
import io.softgate.nat.config.NatConfigException;
import io.softgate.nat.config.NatRule;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.config.VpcBinding;
import io.softgate.service.config.Addresses;
import io.softgate.service.config.ConfigError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the {@code nat}, {@code loadBalancer} and {@code acl} sections into the modules' own
 * configuration objects, reporting every problem as a {@link ConfigError} with the field's path in
 * the file (e.g. {@code acl.rules[3].dstPortTo}). The modules' compilers then check semantics and
 * name their fields in their own terms; {@link #natError} and {@link #lbError} map those back to
 * file paths.
 *
 * <p>Threading: one instance per compilation, used by one control thread.
 */
final class FeatureCompiler {
    private final VrfIndexes vrfs;
    private final List<ConfigError> errors = new ArrayList<>();

    FeatureCompiler(VrfIndexes vrfs) {
        this.vrfs = vrfs;
    }

    List<ConfigError> errors() {
        return errors;
    }

    void error(String path, String message) {
        errors.add(new ConfigError(path, message));
    }

    // ---------------------------------------------------------------- ACL

    /** The ACL model of {@code section}, or null if it has errors (recorded). */
    AclConfig acl(AclSection section) {
        int before = errors.size();
        if (section.flowCapacity() < 1024 || section.flowCapacity() > (1 << 26)) {
            error("acl.flowCapacity", "must be 1024..67108864 (was " + section.flowCapacity() + ")");
        }
        List<AclRule> rules = new ArrayList<>();
        for (int r = 0; r < section.rules().size(); r++) {
            String path = "acl.rules[" + r + "]";
            AclRuleSection rule = section.rules().get(r);
            if (rule == null) {
                error(path, "required (null entry)");
                continue;
            }
            AclRule compiled = aclRule(path, rule);
            if (compiled != null) {
                rules.add(compiled);
            }
        }
        Map<String, AclAction> defaults = new HashMap<>();
        for (Map.Entry<String, String> entry : section.defaultActions().entrySet()) {
            String path = "acl.defaultActions." + entry.getKey();
            if (!vrfs.isVpc(entry.getKey())) {
                error(path, "names no VPC VRF in forwarding.vrfs (the public VRF is not filtered)");
                continue;
            }
            try {
                defaults.put(entry.getKey(), AclAction.parse(entry.getValue()));
            } catch (IllegalArgumentException e) {
                error(path, "must be permit or deny (was " + entry.getValue() + ")");
            }
        }
        if (errors.size() != before) {
            return null;
        }
        try {
            return new AclConfig(rules, defaults);
        } catch (IllegalArgumentException e) {
            error("acl.rules", e.getMessage());
            return null;
        }
    }

    private AclRule aclRule(String path, AclRuleSection rule) {
        int before = errors.size();
        required(path + ".name", rule.name());
        required(path + ".action", rule.action());
        if (rule.vpc() == null) {
            error(path + ".vpc", "required");
        } else if (!vrfs.isVpc(rule.vpc())) {
            error(path + ".vpc", "names no VPC VRF in forwarding.vrfs (the public VRF is not filtered): " + rule.vpc());
        }
        AclAction action = null;
        if (rule.action() != null) {
            try {
                action = AclAction.parse(rule.action());
            } catch (IllegalArgumentException e) {
                error(path + ".action", "must be permit or deny (was " + rule.action() + ")");
            }
        }
        AclProtocol protocol = null;
        try {
            protocol = AclProtocol.parse(rule.proto());
        } catch (IllegalArgumentException e) {
            error(path + ".proto", "must be one of all, ip, tcp, udp, icmp, icmpv6 (was " + rule.proto() + ")");
        }
        IpPrefix source = aclPrefix(path + ".srcPrefix", rule.srcPrefix());
        IpPrefix destination = aclPrefix(path + ".dstPrefix", rule.dstPrefix());
        if (errors.size() != before) {
            return null;
        }
        try {
            return new AclRule(rule.name(), rule.vpc(), orDefault(rule.priority(), 0), action, protocol, source,
                destination, orDefault(rule.srcPortFrom(), 0), orDefault(rule.srcPortTo(), AclRule.MAX_PORT),
                orDefault(rule.dstPortFrom(), 0), orDefault(rule.dstPortTo(), AclRule.MAX_PORT),
                orDefault(rule.icmpType(), AclRule.ANY_ICMP_TYPE), Boolean.TRUE.equals(rule.established()),
                Boolean.TRUE.equals(rule.reverse()));
        } catch (IllegalArgumentException e) {
            error(path, e.getMessage());
            return null;
        }
    }

    private IpPrefix aclPrefix(String path, String text) {
        if (text == null) {
            return null;
        }
        try {
            Addresses.parsePrefix(text);
            return IpPrefix.parse(text);
        } catch (IllegalArgumentException e) {
            error(path, "must be an IPv4 or IPv6 prefix without host bits (was \"" + text + "\")");
            return null;
        }
    }

    // ---------------------------------------------------------------- NAT

    /** The NAT model of {@code section}, or null if it has errors (recorded). */
    NatConfig nat(NatSection section) {
        int before = errors.size();
        if (vrfs.publicVrf() < 0) {
            error("node.publicVrf", "required when the nat section is present");
        }
        if (section.maxSessions() < 1024 || section.maxSessions() > (1 << 26)) {
            error("nat.maxSessions", "must be 1024..67108864 (was " + section.maxSessions() + ")");
        }
        for (int r = 0; r < section.rules().size(); r++) {
            NatRule rule = section.rules().get(r);
            if (rule == null) {
                error("nat.rules[" + r + "]", "required (null entry)");
            } else if (rule.vpc() == null) {
                error("nat.rules[" + r + "].vpc", "required");
            } else if (!vrfs.isVpc(rule.vpc())) {
                error("nat.rules[" + r + "].vpc", "names no VPC VRF in forwarding.vrfs: " + rule.vpc());
            }
        }
        for (String vpc : section.masqueradeAddresses().keySet()) {
            if (!vrfs.isVpc(vpc)) {
                error("nat.masqueradeAddresses." + vpc, "names no VPC VRF in forwarding.vrfs");
            }
        }
        // The one function an adapter over the file alone uses too, so the two cannot drift.
        NatSettings settings = NatSectionSettings.of(section, errors);
        if (errors.size() != before) {
            return null;
        }
        List<VpcBinding> bindings = new ArrayList<>();
        for (String vpc : vrfs.vpcNames()) {
            bindings.add(new VpcBinding(vpc, vrfs.indexOf(vpc), section.masqueradeAddresses().get(vpc)));
        }
        return new NatConfig(bindings, vrfs.publicVrf(), section.rules(), settings);
    }

    /**
     * Maps a {@link NatConfigException} (fields like {@code rule[web].dnatToIP} or
     * {@code settings.portRangeFirst}) to the path of the file.
     */
    void natError(NatSection section, NatConfigException e) {
        String field = e.field();
        String path = "nat." + field;
        if (field.startsWith("rule[")) {
            int close = field.indexOf(']');
            String name = close > 0 ? field.substring(5, close) : "";
            String rest = close > 0 ? field.substring(close + 1) : "";
            for (int r = 0; r < section.rules().size(); r++) {
                if (name.equals(section.rules().get(r).name())) {
                    path = "nat.rules[" + r + "]" + rest;
                    break;
                }
            }
        } else if (field.equals("settings.udpTimeoutNs")) {
            path = "nat.udpTimeoutSeconds"; // the file gives it in seconds
        } else if (field.startsWith("settings.")) {
            path = "nat." + field.substring("settings.".length());
        }
        String message = e.getMessage();
        String prefix = field + ": ";
        error(path, message.startsWith(prefix) ? message.substring(prefix.length()) : message);
    }

    // ---------------------------------------------------------------- load balancer

    /** The LB model of {@code section}, or null if it has errors (recorded). */
    LoadBalancerConfig loadBalancer(LoadBalancerSection section) {
        int before = errors.size();
        if (vrfs.publicVrf() < 0) {
            error("node.publicVrf", "required when the loadBalancer section is present");
        }
        if (section.maxConnections() < 1024 || section.maxConnections() > (1 << 24)) {
            error("loadBalancer.maxConnections", "must be 1024..16777216 (was " + section.maxConnections() + ")");
        }
        if (section.probeThreads() < 1 || section.probeThreads() > 64) {
            error("loadBalancer.probeThreads", "must be 1..64 (was " + section.probeThreads() + ")");
        }
        if (section.maglevBuildThreads() < 1 || section.maglevBuildThreads() > io.softgate.lb.compile.MaglevBuildPool.MAX_PARALLELISM) {
            error("loadBalancer.maglevBuildThreads", "must be 1.." + io.softgate.lb.compile.MaglevBuildPool.MAX_PARALLELISM
                + " (was " + section.maglevBuildThreads() + ")");
        }
        List<LoadBalancerService> services = new ArrayList<>();
        for (int s = 0; s < section.services().size(); s++) {
            String path = "loadBalancer.services[" + s + "]";
            LoadBalancerSection.LbServiceSection service = section.services().get(s);
            if (service == null) {
                error(path, "required (null entry)");
                continue;
            }
            LbProtocol protocol = enumValue(path + ".protocol", service.protocol(), LbProtocol.class, "tcp or udp");
            required(path + ".port", service.port());
            List<Backend> backends = new ArrayList<>();
            if (service.backends() != null) {
                for (int b = 0; b < service.backends().size(); b++) {
                    String backendPath = path + ".backends[" + b + "]";
                    LoadBalancerSection.LbBackendSection backend = service.backends().get(b);
                    if (backend == null) {
                        error(backendPath, "required (null entry)");
                        continue;
                    }
                    required(backendPath + ".port", backend.port());
                    BackendAdminState state = backend.state() == null ? BackendAdminState.ENABLED
                        : enumValue(backendPath + ".state", backend.state(), BackendAdminState.class,
                            "enabled or maintenance");
                    backends.add(new Backend(backend.address(), orDefault(backend.port(), 0),
                        orDefault(backend.weight(), Backend.DEFAULT_WEIGHT), state));
                }
            }
            HealthCheck healthCheck = healthCheck(path + ".healthCheck", service.healthCheck());
            services.add(new LoadBalancerService(service.name(), protocol, service.vip(), orDefault(service.port(), 0),
                service.backends() == null ? null : backends, healthCheck, service.vpc(),
                service.fullNatSourceAddress(), !Boolean.FALSE.equals(service.enabled())));
        }
        if (errors.size() != before) {
            return null;
        }
        LoadBalancerConfig config = LoadBalancerConfig.of(services);
        return section.maglevTableSize() == null ? config : config.withMaglevTableSize(section.maglevTableSize());
    }

    private HealthCheck healthCheck(String path, LoadBalancerSection.LbHealthCheckSection section) {
        if (section == null) {
            return HealthCheck.NONE;
        }
        HealthCheckType type = section.type() == null ? HealthCheckType.NONE
            : enumValue(path + ".type", section.type(), HealthCheckType.class, "none, tcp or http");
        return new HealthCheck(type, orDefault(section.timeoutMs(), HealthCheck.DEFAULT_TIMEOUT_MS),
            orDefault(section.intervalMs(), HealthCheck.DEFAULT_INTERVAL_MS),
            section.requestPath() == null ? "/" : section.requestPath(),
            orDefault(section.rise(), HealthCheck.DEFAULT_RISE), orDefault(section.fall(), HealthCheck.DEFAULT_FALL));
    }

    /** Records the LB compiler's errors ({@code services[2].backends[0].port}) under {@code loadBalancer.}. */
    void lbErrors(List<ValidationError> validationErrors) {
        for (ValidationError e : validationErrors) {
            error("loadBalancer." + e.field(), e.message());
        }
    }

    // ---------------------------------------------------------------- helpers

    private void required(String path, Object value) {
        if (value == null) {
            error(path, "required");
        }
    }

    private <E extends Enum<E>> E enumValue(String path, String text, Class<E> type, String allowed) {
        if (text == null) {
            error(path, "required (" + allowed + ")");
            return null;
        }
        try {
            return Enum.valueOf(type, text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            error(path, "must be " + allowed + " (was " + text + ")");
            return null;
        }
    }

    private static int orDefault(Integer value, int fallback) {
        return value == null ? fallback : value;
    }
}
