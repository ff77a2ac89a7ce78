package io.softgate.service.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a parsed configuration completely (ranges, formats, uniqueness, cross-references) and
 * returns every problem with its field path, so one start-up attempt shows all of them.
 *
 * <p>Threading: stateless.
 */
public final class ConfigValidator {
    /** RFC 7348 §5: the VNI is a 24-bit field; 0 is reserved here as "no VNI". */
    public static final long MAX_VNI = 0xFF_FFFFL;
    /** RFC 6793: AS numbers are 4 octets; 0 is reserved (RFC 7607). */
    public static final long MAX_ASN = 0xFFFF_FFFFL;
    public static final int MAX_STATS_INTERVAL_SECONDS = 86_400;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private final List<ConfigError> errors = new ArrayList<>();
    private boolean tunConfigured;

    private ConfigValidator() {
    }

    /** Every problem in {@code config}; empty when it is usable. */
    public static List<ConfigError> validate(SoftgateConfig config) {
        ConfigValidator validator = new ConfigValidator();
        validator.check(config);
        return List.copyOf(validator.errors);
    }

    private void check(SoftgateConfig config) {
        tunConfigured = config.io().tun().configured();
        Set<String> vrfNames = checkForwarding(config.forwarding());
        checkNode(config.node(), vrfNames);
        checkDataplane(config.dataplane());
        checkIo(config.io());
        if (tunConfigured && config.node() != null && config.node().publicVrf() == null) {
            error("io.tun", "needs node.publicVrf: packets from the TUN uplink are routed in that VRF");
        }
        checkBgp(config.bgp(), vrfNames);
        if (!config.bgp().publicAddresses().isEmpty() && config.node() != null && config.node().publicVrf() == null) {
            error("bgp.publicAddresses", "need node.publicVrf (the VRF they are advertised in)");
        }
        checkApi(config.api());
        if (config.stateDir().isBlank()) {
            error("stateDir", "must not be empty");
        }
    }

    private void checkNode(NodeConfig node, Set<String> vrfNames) {
        if (node == null) {
            error("node", "required");
            return;
        }
        name("node.name", node.name(), true);
        unicastMac("node.routerMac", node.routerMac(), true);
        unicastIpv4("node.vtepAddress", node.vtepAddress(), true);
        range("node.underlayMtuBytes", node.underlayMtuBytes(), NodeConfig.MIN_UNDERLAY_MTU_BYTES,
            NodeConfig.MAX_UNDERLAY_MTU_BYTES);
        // Defaults copy the router MAC; only a different value needs a check of its own.
        if (!java.util.Objects.equals(node.underlayMac(), node.routerMac())) {
            unicastMac("node.underlayMac", node.underlayMac(), false);
        }
        if (!java.util.Objects.equals(node.underlayNextHopMac(), node.routerMac())) {
            unicastMac("node.underlayNextHopMac", node.underlayNextHopMac(), false);
        }
        range("node.icmpErrorsPerSecond", node.icmpErrorsPerSecond(), 0, 1_000_000_000);
        range("node.icmpErrorBurst", node.icmpErrorBurst(), node.icmpErrorsPerSecond() > 0 ? 1 : 0, 1_000_000_000);
        if (node.publicVrf() != null && !vrfNames.contains(node.publicVrf())) {
            error("node.publicVrf", "names no VRF in forwarding.vrfs: " + node.publicVrf());
        }
    }

    private void checkDataplane(DataplaneConfig dataplane) {
        range("dataplane.workers", dataplane.workers(), 1, DataplaneConfig.MAX_WORKERS);
        range("dataplane.batchSize", dataplane.batchSize(), 1, DataplaneConfig.MAX_BATCH_SIZE);
        // A worker needs a batch in flight plus frames held by its I/O rings.
        long minimumFrames = 2L * Math.max(1, dataplane.batchSize());
        range("dataplane.framesPerWorker", dataplane.framesPerWorker(), minimumFrames, DataplaneConfig.MAX_FRAMES_PER_WORKER);
        range("dataplane.statsIntervalSeconds", dataplane.statsIntervalSeconds(), 0, MAX_STATS_INTERVAL_SECONDS);
    }

    private void checkIo(IoConfig io) {
        ipv4("io.udp.bindAddress", io.udp().bindAddress(), true);
        range("io.udp.port", io.udp().port(), 1, 65_535);
        if (io.backend() == IoBackendKind.PCAP) {
            if (blank(io.pcap().input())) {
                error("io.pcap.input", "required when io.backend is pcap");
            }
            if (blank(io.pcap().output())) {
                error("io.pcap.output", "required when io.backend is pcap");
            }
        }
        checkAfXdp(io);
        String tunName = io.tun().interfaceName();
        if (tunName != null && (tunName.isBlank() || tunName.length() > 15 || tunName.contains("/")
            || tunName.chars().anyMatch(Character::isWhitespace))) {
            error("io.tun.interfaceName", "must be an interface name of 1-15 characters without '/' or spaces: \""
                + tunName + "\"");
        }
    }

    private void checkAfXdp(IoConfig io) {
        AfXdpConfig xdp = io.afXdp();
        if (io.backend() == IoBackendKind.AF_XDP) {
            String name = xdp.interfaceName();
            // IFNAMSIZ is 16 bytes with the terminating NUL.
            if (blank(name) || name.length() > 15 || name.contains("/") || name.chars().anyMatch(Character::isWhitespace)) {
                error("io.af_xdp.interfaceName", name == null ? "required when io.backend is af_xdp"
                    : "must be an interface name of 1-15 characters without '/' or spaces: \"" + name + "\"");
            }
        } else if (io.fallback() == IoFallbackKind.UDP) {
            error("io.fallback", "only applies to io.backend af_xdp (was " + io.backend().configName() + ")");
        }
        unicastIpv4("io.af_xdp.vtepAddress", xdp.vtepAddress(), false);
        range("io.af_xdp.firstQueue", xdp.firstQueue(), 0, AfXdpConfig.MAX_FIRST_QUEUE);
        if (range("io.af_xdp.ringSize", xdp.ringSize(), AfXdpConfig.MIN_RING_SIZE, AfXdpConfig.MAX_RING_SIZE)
            && Integer.bitCount(xdp.ringSize()) != 1) {
            error("io.af_xdp.ringSize", "must be a power of two (was " + xdp.ringSize() + ")");
        }
    }

    private Set<String> checkForwarding(ForwardingConfig forwarding) {
        Set<String> names = new HashSet<>();
        Map<Long, Integer> vniOwners = new HashMap<>();
        List<VrfConfig> vrfs = forwarding.vrfs();
        for (int v = 0; v < vrfs.size(); v++) {
            String path = "forwarding.vrfs[" + v + "]";
            VrfConfig vrf = vrfs.get(v);
            if (vrf == null) {
                error(path, "required (null entry)");
                continue;
            }
            if (name(path + ".name", vrf.name(), true) && !names.add(vrf.name())) {
                error(path + ".name", "duplicate VRF name " + vrf.name());
            }
            if (range(path + ".l3vni", vrf.l3vni(), 1, MAX_VNI)) {
                Integer owner = vniOwners.putIfAbsent(vrf.l3vni(), v);
                if (owner != null) {
                    error(path + ".l3vni", "L3VNI " + vrf.l3vni() + " already used by forwarding.vrfs[" + owner + "]");
                }
            }
            unicastIpv4(path + ".gatewayIpv4", vrf.gatewayIpv4(), false);
            if (vrf.gatewayIpv6() != null) {
                try {
                    byte[] address = Addresses.parseIpLiteral(vrf.gatewayIpv6());
                    if (address.length != 16 || (address[0] & 0xFF) == 0xFF || java.util.Arrays.equals(address, new byte[16])) {
                        error(path + ".gatewayIpv6", "must be a unicast IPv6 address: \"" + vrf.gatewayIpv6() + "\"");
                    }
                } catch (IllegalArgumentException e) {
                    error(path + ".gatewayIpv6", "must be an IPv6 address: \"" + vrf.gatewayIpv6() + "\"");
                }
            }
            checkRoutes(path, vrf.routes());
        }
        return names;
    }

    private void checkRoutes(String vrfPath, List<StaticRouteConfig> routes) {
        Set<Addresses.Prefix> prefixes = new HashSet<>();
        Map<Integer, Long> routerMacByVtep = new HashMap<>();
        for (int r = 0; r < routes.size(); r++) {
            String path = vrfPath + ".routes[" + r + "]";
            StaticRouteConfig route = routes.get(r);
            if (route == null) {
                error(path, "required (null entry)");
                continue;
            }
            Addresses.Prefix prefix = prefix(path + ".prefix", route.prefix());
            if (prefix != null && !prefixes.add(prefix)) {
                error(path + ".prefix", "duplicate prefix " + prefix + " in this VRF");
            }
            if (route.nextHopPort() != null) {
                checkPortRoute(path, route);
                continue;
            }
            Integer vtep = unicastIpv4(path + ".nextHopVtep", route.nextHopVtep(), true);
            Long mac = unicastMac(path + ".nextHopRouterMac", route.nextHopRouterMac(), true);
            if (vtep != null && mac != null) {
                // One router MAC per (VTEP, L3VNI): a second one rewrites the remote neighbour entry.
                Long previous = routerMacByVtep.putIfAbsent(vtep, mac);
                if (previous != null && previous.longValue() != mac.longValue()) {
                    error(path + ".nextHopRouterMac", "VTEP " + route.nextHopVtep() + " already has router MAC "
                        + Addresses.formatMac(previous) + " in this VRF; a VTEP has one router MAC per L3VNI");
                }
            }
        }
    }

    /** A route out of an IP port: names a configured port and nothing of a VTEP. */
    private void checkPortRoute(String path, StaticRouteConfig route) {
        if (!TunConfig.PORT_NAME.equals(route.nextHopPort())) {
            error(path + ".nextHopPort", "must be \"" + TunConfig.PORT_NAME + "\" (was \"" + route.nextHopPort() + "\")");
        } else if (!tunConfigured) {
            error(path + ".nextHopPort", "names the TUN uplink, but io.tun is not configured");
        }
        if (route.nextHopVtep() != null || route.nextHopRouterMac() != null) {
            error(path + ".nextHopPort", "a route out of a port has no nextHopVtep or nextHopRouterMac");
        }
    }

    private void checkBgp(BgpConfig bgp, Set<String> vrfNames) {
        boolean required = bgp.enabled();
        range("bgp.asn", bgp.asn(), 1, MAX_ASN, required);
        unicastIpv4("bgp.routerId", bgp.routerId(), required);
        ipv4("bgp.listenAddress", bgp.listenAddress(), false);
        range("bgp.listenPort", bgp.listenPort(), 0, 65535);
        List<BgpNeighborConfig> neighbors = bgp.neighbors();
        Set<Integer> neighborAddresses = new HashSet<>();
        for (int n = 0; n < neighbors.size(); n++) {
            String path = "bgp.neighbors[" + n + "]";
            BgpNeighborConfig neighbor = neighbors.get(n);
            if (neighbor == null) {
                error(path, "required (null entry)");
                continue;
            }
            Integer address = unicastIpv4(path + ".address", neighbor.address(), true);
            if (address != null && !neighborAddresses.add(address)) {
                error(path + ".address", "duplicate neighbour " + neighbor.address());
            }
            range(path + ".remoteAsn", neighbor.remoteAsn(), 1, MAX_ASN, true);
            unicastIpv4(path + ".localAddress", neighbor.localAddress(), false);
            range(path + ".port", neighbor.port(), 1, 65535);
            // RFC 4271 §4.2: the hold time is 0 or at least 3 seconds.
            if (range(path + ".holdTimeSeconds", neighbor.holdTimeSeconds(), 0, 65535)
                && neighbor.holdTimeSeconds() > 0 && neighbor.holdTimeSeconds() < 3) {
                error(path + ".holdTimeSeconds", "must be 0 or 3..65535 (RFC 4271 §4.2) (was "
                    + neighbor.holdTimeSeconds() + ")");
            }
        }
        Set<String> seen = new HashSet<>();
        Set<Long> distinguishers = new HashSet<>();
        for (int v = 0; v < bgp.vrfs().size(); v++) {
            String path = "bgp.vrfs[" + v + "]";
            BgpVrfConfig vrf = bgp.vrfs().get(v);
            if (vrf == null) {
                error(path, "required (null entry)");
                continue;
            }
            // A name that is not one of forwarding.vrfs names a VPC the controller creates over the
            // API (its VRF gets these settings when it exists; see BgpSettingsFactory.apiVrf).
            if (vrf.name() == null) {
                error(path + ".name", "required");
            } else if (!seen.add(vrf.name())) {
                error(path + ".name", "duplicate: VRF " + vrf.name() + " has settings already");
            }
            if (vrf.routeDistinguisherNumber() != null
                && range(path + ".routeDistinguisherNumber", vrf.routeDistinguisherNumber(), 0, 65535)
                && !distinguishers.add(vrf.routeDistinguisherNumber().longValue())) {
                error(path + ".routeDistinguisherNumber", "duplicate route distinguisher number "
                    + vrf.routeDistinguisherNumber());
            }
            routeTargets(path + ".exportRouteTargets", vrf.exportRouteTargets());
            routeTargets(path + ".importRouteTargets", vrf.importRouteTargets());
        }
        range("bgp.gracefulRestart.restartTimeSeconds", bgp.gracefulRestart().restartTimeSeconds(), 0,
            BgpGracefulRestartConfig.MAX_RESTART_TIME_SECONDS);
        for (int a = 0; a < bgp.publicAddresses().size(); a++) {
            String value = bgp.publicAddresses().get(a);
            String path = "bgp.publicAddresses[" + a + "]";
            if (value == null) {
                error(path, "required (null entry)");
                continue;
            }
            try {
                Addresses.parseIpLiteral(value);
            } catch (IllegalArgumentException e) {
                error(path, "must be an IPv4 or IPv6 address: \"" + value + "\"");
            }
        }
        for (int p = 0; p < bgp.underlayPrefixes().size(); p++) {
            prefix("bgp.underlayPrefixes[" + p + "]", bgp.underlayPrefixes().get(p));
        }
    }

    /** RFC 4360 route targets written {@code ASN:n} (2- or 4-octet AS) or {@code IPv4:n}. */
    private void routeTargets(String path, List<String> targets) {
        for (int t = 0; t < targets.size(); t++) {
            String value = targets.get(t);
            String item = path + "[" + t + "]";
            if (value == null) {
                error(item, "required (null entry)");
                continue;
            }
            int colon = value.lastIndexOf(':');
            boolean valid = colon > 0 && value.substring(colon + 1).matches("[0-9]{1,10}");
            if (valid) {
                String global = value.substring(0, colon);
                long local = Long.parseLong(value.substring(colon + 1));
                if (global.contains(".")) {
                    valid = ipv4Valid(global) && local <= 0xFFFF;
                } else if (global.matches("[0-9]{1,10}")) {
                    long asn = Long.parseLong(global);
                    // Two-octet AS: 4-octet local part; four-octet AS: 2-octet local part (RFC 5668).
                    valid = asn >= 1 && asn <= MAX_ASN && local <= (asn <= 0xFFFF ? 0xFFFF_FFFFL : 0xFFFF);
                } else {
                    valid = false;
                }
            }
            if (!valid) {
                error(item, "must be a route target like 65000:5001, 4200000000:7 or 10.0.0.1:7: \"" + value + "\"");
            }
        }
    }

    private static boolean ipv4Valid(String value) {
        try {
            Addresses.parseIpv4(value);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    // ----- field checks; each returns whether the field is present and valid -----

    private void checkApi(ApiConfig api) {
        if (!api.enabled()) {
            return;
        }
        Integer listenAddress = ipv4("api.listenAddress", api.listenAddress(), true);
        range("api.port", api.port(), 1, 65535);
        range("api.sessionTtlSeconds", api.sessionTtlSeconds(), 60, 86_400);
        range("api.maxRequestBytes", api.maxRequestBytes(), 4096, 256L * 1024 * 1024);
        if (blank(api.credentialsFile()) && blank(api.tokensFile())) {
            error("api.credentialsFile", "required: the API has no default password (or give api.tokensFile)");
        }
        if (blank(api.tlsCertificate()) != blank(api.tlsPrivateKey())) {
            error(blank(api.tlsCertificate()) ? "api.tlsCertificate" : "api.tlsPrivateKey",
                "TLS needs both api.tlsCertificate and api.tlsPrivateKey");
        }
        // Bearer tokens and session cookies must not cross a network in clear: without TLS the
        // API stays on loopback (127/8) unless the operator says otherwise in so many words.
        boolean loopback = listenAddress != null && listenAddress >>> 24 == 127;
        if (listenAddress != null && !loopback && blank(api.tlsCertificate()) && blank(api.tlsPrivateKey())
            && !api.plainHttp()) {
            error("api.listenAddress", "plain HTTP is served on loopback only: give api.tlsCertificate and "
                + "api.tlsPrivateKey to listen on " + api.listenAddress() + ", or set api.plainHttp to true");
        }
    }

    private boolean name(String path, String value, boolean required) {
        if (value == null) {
            return missing(path, required);
        }
        if (!NAME.matcher(value).matches()) {
            return error(path, "must be 1..63 characters of letters, digits, '.', '_' or '-', starting with a letter or digit: \""
                + value + "\"");
        }
        return true;
    }

    private boolean range(String path, Number value, long min, long max) {
        return range(path, value, min, max, true);
    }

    private boolean range(String path, Number value, long min, long max, boolean required) {
        if (value == null) {
            return missing(path, required);
        }
        long number = value.longValue();
        if (number < min || number > max) {
            return error(path, "must be " + min + ".." + max + " (was " + number + ")");
        }
        return true;
    }

    private Integer ipv4(String path, String value, boolean required) {
        if (value == null) {
            missing(path, required);
            return null;
        }
        try {
            return Addresses.parseIpv4(value);
        } catch (IllegalArgumentException e) {
            error(path, "must be an IPv4 address: \"" + value + "\"");
            return null;
        }
    }

    private Integer unicastIpv4(String path, String value, boolean required) {
        Integer address = ipv4(path, value, required);
        if (address == null) {
            return null;
        }
        int firstOctet = address >>> 24;
        // Not unspecified, not loopback (127/8: never on the wire), not multicast or reserved (224/3).
        if (address == 0 || firstOctet == 127 || firstOctet >= 224) {
            error(path, "must be a unicast IPv4 address (not 0.0.0.0, 127/8 or 224/3): \"" + value + "\"");
            return null;
        }
        return address;
    }

    private Long unicastMac(String path, String value, boolean required) {
        if (value == null) {
            missing(path, required);
            return null;
        }
        try {
            long mac = Addresses.parseMac(value);
            if (!Addresses.isUnicastMac(mac)) {
                error(path, "must be a unicast MAC address (not zero, group bit clear): \"" + value + "\"");
                return null;
            }
            return mac;
        } catch (IllegalArgumentException e) {
            error(path, "must be a MAC address like 02:00:00:00:00:01: \"" + value + "\"");
            return null;
        }
    }

    private Addresses.Prefix prefix(String path, String value) {
        if (value == null) {
            missing(path, true);
            return null;
        }
        try {
            return Addresses.parsePrefix(value);
        } catch (IllegalArgumentException e) {
            error(path, e.getMessage());
            return null;
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private boolean missing(String path, boolean required) {
        if (required) {
            error(path, "required");
        }
        return false;
    }

    private boolean error(String path, String message) {
        errors.add(new ConfigError(path, message));
        return false;
    }
}
