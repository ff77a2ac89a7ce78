package io.softgate.lb.compile;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.lb.maglev.MaglevTable;
import io.softgate.lb.maglev.MaglevTableBuilder;
import io.softgate.lb.model.Backend;
import io.softgate.lb.model.HealthCheck;
import io.softgate.lb.model.HealthCheckType;
import io.softgate.lb.model.LoadBalancerConfig;
import io.softgate.lb.model.LoadBalancerService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a load-balancer document and names every wrong field; a document with any error is
 * rejected whole.
 *
 * <p>Threading: stateless apart from the resolver it is given; used by the compiling control thread.
 */
final class LoadBalancerValidator {
    private LoadBalancerValidator() {
    }

    static List<ValidationError> validate(LoadBalancerConfig config, VrfResolver vrfs) {
        List<ValidationError> errors = new ArrayList<>();
        if (config == null) {
            errors.add(new ValidationError("", "the load-balancer document is missing"));
            return errors;
        }
        if (!MaglevTableBuilder.isValidTableSize(config.maglevTableSize())) {
            errors.add(new ValidationError("maglevTableSize", "must be a prime between 3 and "
                + MaglevTableBuilder.MAX_TABLE_SIZE + ", was " + config.maglevTableSize()));
        }
        if (config.tcpIdleTimeoutNs() <= 0) {
            errors.add(new ValidationError("tcpIdleTimeoutNs", "must be positive"));
        }
        if (config.udpIdleTimeoutNs() <= 0) {
            errors.add(new ValidationError("udpIdleTimeoutNs", "must be positive"));
        }
        if (config.services() == null) {
            errors.add(new ValidationError("services", "is missing"));
            return errors;
        }
        Set<String> names = new HashSet<>();
        Map<Long, String> vipOwners = new HashMap<>();
        for (int s = 0; s < config.services().size(); s++) {
            LoadBalancerService service = config.services().get(s);
            String path = "services[" + s + "]";
            if (service == null) {
                errors.add(new ValidationError(path, "is null"));
                continue;
            }
            if (service.name() == null || service.name().isBlank()) {
                errors.add(new ValidationError(path + ".name", "is missing"));
            } else if (!names.add(service.name())) {
                errors.add(new ValidationError(path + ".name", "duplicates another service's name: " + service.name()));
            }
            if (service.protocol() == null) {
                errors.add(new ValidationError(path + ".protocol", "must be TCP or UDP"));
            }
            int vip = address(service.vip(), path + ".ip", errors);
            if (vip == 0 && service.vip() != null && isIpv4(service.vip())) {
                errors.add(new ValidationError(path + ".ip", "0.0.0.0 cannot be a VIP"));
            }
            port(service.port(), path + ".port", errors);
            if (service.vpc() == null || vrfs.vrfOfVpc(service.vpc()) == VrfResolver.UNKNOWN) {
                errors.add(new ValidationError(path + ".vpc", "unknown VPC: " + service.vpc()));
            }
            if (service.fullNatSourceAddress() != null) {
                address(service.fullNatSourceAddress(), path + ".fullNatSourceAddress", errors);
            }
            healthCheck(service.healthCheck(), path + ".healthCheck", errors);
            backends(service.backends(), path + ".backends", errors);
            if (service.enabled() && service.protocol() != null && isIpv4(service.vip())) {
                long key = LoadBalancerTables.vipKey(vip, service.protocol().ipProtocolNumber(), service.port());
                String owner = vipOwners.putIfAbsent(key, service.name());
                if (owner != null) {
                    errors.add(new ValidationError(path + ".port", "VIP " + service.vip() + " " + service.protocol()
                        + " port " + service.port() + " is already used by service " + owner));
                }
            }
        }
        return errors;
    }

    private static void backends(List<Backend> backends, String path, List<ValidationError> errors) {
        if (backends == null) {
            errors.add(new ValidationError(path, "is missing (an empty list is allowed)"));
            return;
        }
        if (backends.size() > MaglevTable.MAX_COMPACT_BACKENDS) {
            errors.add(new ValidationError(path, "at most " + MaglevTable.MAX_COMPACT_BACKENDS + " backends per service, was "
                + backends.size()));
            return;
        }
        // Identities are canonical (Backend canonicalises its address), so "010.1.0.5" and
        // "10.1.0.5" collide here exactly as they would in the compiler's Maglev table.
        Map<String, Integer> identities = new HashMap<>();
        for (int b = 0; b < backends.size(); b++) {
            Backend backend = backends.get(b);
            String at = path + "[" + b + "]";
            if (backend == null) {
                errors.add(new ValidationError(at, "is null"));
                continue;
            }
            address(backend.address(), at + ".ip", errors);
            port(backend.port(), at + ".port", errors);
            if (backend.weight() < 0 || backend.weight() > MaglevTableBuilder.MAX_WEIGHT) {
                errors.add(new ValidationError(at + ".weight", "must be in [0, " + MaglevTableBuilder.MAX_WEIGHT + "]"));
            }
            if (backend.state() == null) {
                errors.add(new ValidationError(at + ".state", "must be ENABLED or MAINTENANCE"));
            }
            Integer first = identities.putIfAbsent(backend.identity(), b);
            if (first != null) {
                errors.add(new ValidationError(at, "duplicates backend " + backend.identity() + " (" + path + "[" + first
                    + "]); addresses are compared as parsed, so 010.1.0.5 and 10.1.0.5 are the same"));
            }
        }
    }

    private static void healthCheck(HealthCheck check, String path, List<ValidationError> errors) {
        if (check == null) {
            errors.add(new ValidationError(path, "is missing (use None)"));
            return;
        }
        if (check.type() == null) {
            errors.add(new ValidationError(path, "must be None, TCP or HTTP"));
            return;
        }
        if (check.type() == HealthCheckType.NONE) {
            return;
        }
        if (check.timeoutMs() <= 0) {
            errors.add(new ValidationError(path + ".timeOut", "must be positive"));
        }
        if (check.intervalMs() <= 0) {
            errors.add(new ValidationError(path + ".interval", "must be positive"));
        }
        if (check.rise() < 1) {
            errors.add(new ValidationError(path + ".rise", "must be at least 1"));
        }
        if (check.fall() < 1) {
            errors.add(new ValidationError(path + ".fall", "must be at least 1"));
        }
        if (check.type() == HealthCheckType.HTTP && (check.requestPath() == null || !check.requestPath().startsWith("/")
            || check.requestPath().chars().anyMatch(c -> c <= ' ' || c >= 127))) {
            errors.add(new ValidationError(path + ".requestPath", "must be an absolute path without spaces or control characters"));
        }
    }

    private static boolean isIpv4(String text) {
        if (text == null) {
            return false;
        }
        try {
            Ipv4Flyweight.parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int address(String text, String path, List<ValidationError> errors) {
        if (text == null) {
            errors.add(new ValidationError(path, "is missing"));
            return 0;
        }
        if (text.indexOf(':') >= 0) {
            errors.add(new ValidationError(path, "IPv6 is not supported by the load balancer yet: " + text));
            return 0;
        }
        try {
            return Ipv4Flyweight.parse(text);
        } catch (IllegalArgumentException e) {
            errors.add(new ValidationError(path, "not an IPv4 address: " + text));
            return 0;
        }
    }

    private static void port(int port, String path, List<ValidationError> errors) {
        if (port < 1 || port > 65_535) {
            errors.add(new ValidationError(path, "must be in [1, 65535], was " + port));
        }
    }
}
