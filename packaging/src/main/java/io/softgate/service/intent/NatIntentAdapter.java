package io.softgate.service.intent;

import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.nat.compile.ExternalAddressRegistry;
import io.softgate.nat.compile.NatRuleCompiler;
import io.softgate.nat.compile.NatTables;
import io.softgate.nat.config.NatAction;
import io.softgate.nat.config.NatConfig;
import io.softgate.nat.config.NatConfigException;
import io.softgate.nat.config.NatRule;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.config.VpcBinding;
import io.softgate.service.config.ConfigError;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.features.NatSectionSettings;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Feeds the nat module's compiler from the controller's NAT rules and publishes its
 * {@link NatTables} in {@link NatTables#SLOT}. Each VPC with a VRF (see {@link VrfNumbering})
 * becomes a {@link VpcBinding}; the node's public VRF ({@code node.publicVrf} in the file) is
 * the outside. Rules of a VPC that has no VRF (no vNet yet, and not named as a file VRF) stay
 * stored and are compiled once it has one (CloudStack creates a VPC's source NAT before its first
 * tier); the API lists them inactive ({@link VrfNumbering#NO_VNET}) by the same test. The compile function is the
 * running {@code NatModule}'s, so public addresses and their port spaces outlive each snapshot;
 * without one, the adapter keeps its own {@link ExternalAddressRegistry}.
 *
 * <p>Threading: called by the thread applying a change, one at a time (it keeps the last tables
 * it compiled, volatile, to reuse them while its input is unchanged).
 */
public final class NatIntentAdapter implements IntentModuleAdapter {
    /** Bound on distinct public addresses when the adapter owns the registry. */
    public static final int DEFAULT_MAX_PUBLIC_ADDRESSES = 1024;

    private final FileInputs inputs;
    private final Function<NatConfig, NatTables> compiler;
    private volatile Compiled previous;

    /** The input and the tables of the last compile. */
    private record Compiled(NatConfig config, NatTables tables) {
    }

    public NatIntentAdapter(SoftgateConfig config, Function<NatConfig, NatTables> compiler) {
        this(config == null ? null : FileInputs.of(config), compiler);
    }

    /**
     * An adapter that merges the file's {@code nat} section ({@code inputs.features().nat()}) with
     * the controller's rules: the file's VPC bindings (masquerade addresses), settings and rules
     * first, then the API's VPCs and rules; a rule name used by both is refused.
     */
    public NatIntentAdapter(FileInputs inputs, Function<NatConfig, NatTables> compiler) {
        this.inputs = inputs;
        this.compiler = compiler;
    }

    /** An adapter with its own address registry (for a node whose NAT stages are not wired). */
    public static NatIntentAdapter standalone(SoftgateConfig config) {
        NatRuleCompiler compiler = new NatRuleCompiler(new ExternalAddressRegistry(DEFAULT_MAX_PUBLIC_ADDRESSES));
        return new NatIntentAdapter(config, compiler::compile);
    }

    /**
     * The NAT behaviour for the API's rules when the inputs carry no NAT model of the file (an
     * adapter over the file alone, {@link FileInputs#of}: the start-up warm-up's, {@link
     * IntentCompiler#defaultAdapters}'): the settings of the configuration file's {@code nat}
     * section, built by the function that builds the file's model on the service's path
     * ({@link NatSectionSettings}), so both compile the API's rules alike; a problem is appended to
     * {@code errors} with its path in the file.
     */
    static NatSettings settings(SoftgateConfig config, List<IntentError> errors) {
        List<ConfigError> fileErrors = new ArrayList<>();
        NatSettings settings = NatSectionSettings.of(config.nat(), fileErrors);
        for (ConfigError error : fileErrors) {
            errors.add(new IntentError(error.path(), error.message()));
        }
        return settings;
    }

    @Override
    public String module() {
        return "nat";
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
        SoftgateConfig config = inputs.config();
        NatConfig file = inputs.features().nat();
        List<NatRule> rules = new ArrayList<>();
        List<VpcBinding> bindings = new ArrayList<>();
        Set<String> fileRuleNames = new HashSet<>();
        Set<String> boundVpcs = new HashSet<>();
        if (file != null) {
            rules.addAll(file.rules());
            bindings.addAll(file.vpcs());
            for (NatRule rule : file.rules()) {
                fileRuleNames.add(rule.name());
            }
            for (VpcBinding binding : file.vpcs()) {
                boundVpcs.add(binding.name());
            }
        }
        Map<String, Integer> vrfs = VrfNumbering.of(config, intent);
        List<IntentError> errors = new ArrayList<>();
        for (CompiledIntent.NatRule rule : intent.natRules()) {
            if (!vrfs.containsKey(rule.vrf())) {
                continue; // VPC without a VRF: stored, listed inactive by the API (VrfNumbering.activeVrfs, NO_VNET)
            }
            if (fileRuleNames.contains(rule.name())) {
                errors.add(new IntentError("nat[" + rule.name() + "].name", "is a rule of the configuration file's nat section"));
                continue;
            }
            rules.add(rule(rule));
        }
        if (!errors.isEmpty()) {
            return errors;
        }
        if (rules.isEmpty() && file == null) {
            return List.of();
        }
        String publicVrf = config.node().publicVrf();
        if (publicVrf == null || !vrfs.containsKey(publicVrf)) {
            return List.of(new IntentError("node.publicVrf", "NAT rules need the node's public VRF (set node.publicVrf in the configuration file)"));
        }
        for (CompiledIntent.Vrf vpc : intent.vrfs()) {
            Integer vrf = vrfs.get(vpc.name());
            if (vrf != null && !vpc.system() && boundVpcs.add(vpc.name())) {
                bindings.add(new VpcBinding(vpc.name(), vrf, null));
            }
        }
        // The file's nat section's settings (ranges, filtering, ICMP budget...) apply to every rule.
        NatSettings settings = file != null ? file.settings() : settings(config, errors);
        if (!errors.isEmpty()) {
            return errors;
        }
        try {
            NatConfig nat = new NatConfig(bindings, vrfs.get(publicVrf), rules, settings);
            Compiled last = previous;
            // A change elsewhere (an LB service, an ACL) keeps the NAT tables it does not touch; the
            // compiler itself reuses every unchanged rule of a NAT change.
            NatTables tables = last != null && last.config().equals(nat) ? last.tables() : compiler.apply(nat);
            previous = new Compiled(nat, tables);
            snapshot.with(NatTables.SLOT, tables);
            return List.of();
        } catch (NatConfigException e) {
            String message = String.valueOf(e.getMessage());
            String reason = message.startsWith(e.field() + ": ") ? message.substring(e.field().length() + 2) : message;
            return List.of(new IntentError("nat." + e.field(), reason));
        } catch (IllegalArgumentException | IllegalStateException e) {
            return List.of(new IntentError("nat", String.valueOf(e.getMessage())));
        }
    }

    private static NatRule rule(CompiledIntent.NatRule rule) {
        NatRule.Builder builder = NatRule.builder(rule.name(), NatAction.valueOf(rule.action().name()), rule.vrf())
            .protocol(protocolName(rule.protocol()))
            .source(rule.source().toString(), ports(rule.sourcePortFrom(), rule.sourcePortTo()))
            .destination(rule.destination().toString(), ports(rule.destinationPortFrom(), rule.destinationPortTo()))
            .state(rule.enabled() ? "enabled" : "disabled");
        if (rule.action() == CompiledIntent.NatAction.SNAT && rule.translateTo() != null) {
            builder.snatToIP(hostText(rule.translateTo()));
        } else if (rule.action() == CompiledIntent.NatAction.DNAT && rule.translateTo() != null) {
            builder.dnatTo(hostText(rule.translateTo()), rule.translatePort() == 0 ? null : rule.translatePort());
        }
        return builder.build();
    }

    /** The controller writes translated addresses as host prefixes ({@code 203.0.113.10/32}); the NAT model wants the address. */
    private static String hostText(IpPrefix prefix) {
        String text = prefix.toString();
        return prefix.length() == prefix.address().length * 8 ? text.substring(0, text.indexOf('/')) : text;
    }

    private static String ports(int from, int to) {
        if ((from == 0 || from == 1) && to == 65535) {
            return null;
        }
        return from == to ? Integer.toString(from) : from + "-" + to;
    }

    private static String protocolName(int protocol) {
        return switch (protocol) {
            case 6 -> "TCP";
            case 17 -> "UDP";
            case 1 -> "ICMP";
            default -> "ALL";
        };
    }
}
