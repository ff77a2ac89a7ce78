package io.softgate.service.evpn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.model.NodeIntent;
import io.softgate.evpn.forwarding.model.VrfIntent;
import io.softgate.service.config.ConfigException;
import io.softgate.service.config.ConfigLoader;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.intent.CompiledIntent;
import io.softgate.service.intent.CompiledIntent.NatAction;
import io.softgate.service.intent.IpPrefix;
import io.softgate.service.intent.VrfNumbering;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The advertised public addresses are the file's set plus the committed intent's: each intent
 * change produces exactly the withdrawals and advertisements of its difference, nothing for what
 * stayed, and API VIPs follow the load balancer's health like the file's.
 */
class PublicAdvertisementsTest {
    private static final ForwardingIntent FORWARDING = ForwardingIntent.of(
        NodeIntent.of("10.255.0.1", "02:5f:00:00:00:01", "02:5f:00:00:00:01", "02:5f:00:00:00:02"),
        List.of(VrfIntent.of("public", 5000, 1).asOutside(), VrfIntent.of("vpc-a", 5001, 2)), List.of());
    /**
     * The node's file: the public VRF and "blue", a file VRF an API VPC without a vNet may be
     * named as (the adapters then compile its rules into that VRF).
     */
    private static final SoftgateConfig CONFIG = config("""
        {"node": {"name": "sg1", "routerMac": "02:5f:00:00:00:01", "vtepAddress": "10.255.0.1", "publicVrf": "public"},
         "forwarding": {"vrfs": [{"name": "public", "l3vni": 5000}, {"name": "blue", "l3vni": 5100}]}}""");
    private static final InetAddress FILE_ADDRESS = InetAddresses.parse("198.51.100.7");
    private static final PublicServices FILE = new PublicServices("public", List.of(FILE_ADDRESS), Set.of(), List.of());

    private final List<String> calls = new ArrayList<>();
    private final PublicAdvertisements advertisements = new PublicAdvertisements(CONFIG, () -> FORWARDING,
        RecordingAdvertiser.prefixes(calls));

    @BeforeEach
    void startWithTheFile() {
        advertisements.fileChanged(FILE, Set.of());
        assertEquals(List.of("+198.51.100.7/32"), calls);
        calls.clear();
    }

    @Test
    void shouldAdvertiseTheSnatAndDnatAddressesOfACommittedIntentInThePublicVrf() {
        advertisements.intentCommitted(intent(List.of(snat("snat-1", "203.0.113.10/32"), dnat("pf-1", "203.0.113.20/32")),
            List.of()));

        assertEquals(List.of("+203.0.113.10/32", "+203.0.113.20/32"), calls);
        assertEquals(Set.of(new Type5Advertisement(5000, FILE_ADDRESS, 32),
            new Type5Advertisement(5000, InetAddresses.parse("203.0.113.10"), 32),
            new Type5Advertisement(5000, InetAddresses.parse("203.0.113.20"), 32)), advertisements.current());
    }

    @Test
    void shouldWithdrawOnlyWhatTheIntentRemovedAndAdvertiseOnlyWhatItAdded() {
        advertisements.intentCommitted(intent(List.of(snat("snat-1", "203.0.113.10/32"), dnat("pf-1", "203.0.113.20/32")),
            List.of()));
        calls.clear();

        advertisements.intentCommitted(intent(List.of(snat("snat-1", "203.0.113.10/32"), dnat("pf-2", "203.0.113.21/32")),
            List.of()));

        assertEquals(List.of("-203.0.113.20/32", "+203.0.113.21/32"), calls);
    }

    @Test
    void shouldSendNothingWhenACommitLeavesThePublicAddressesAsTheyWere() {
        advertisements.intentCommitted(intent(List.of(snat("snat-1", "203.0.113.10/32")), List.of()));
        calls.clear();

        // A second rule translating to the same address (another VPC tier), then the same intent again.
        advertisements.intentCommitted(intent(List.of(snat("snat-1", "203.0.113.10/32"), snat("snat-2", "203.0.113.10/32")),
            List.of()));
        advertisements.intentCommitted(intent(List.of(snat("snat-1", "203.0.113.10/32")), List.of()));

        assertEquals(List.of(), calls);
    }

    @Test
    void shouldWithdrawEveryIntentAddressWhenTheIntentIsEmptiedAndKeepTheFileAddress() {
        advertisements.intentCommitted(intent(List.of(snat("snat-1", "203.0.113.10/32")), List.of()));
        calls.clear();

        advertisements.intentCommitted(intent(List.of(), List.of()));

        assertEquals(List.of("-203.0.113.10/32"), calls);
        assertEquals(Set.of(new Type5Advertisement(5000, FILE_ADDRESS, 32)), advertisements.current());
    }

    @Test
    void shouldKeepAnAddressTheFileAlsoListsWhenTheIntentDropsIt() {
        advertisements.intentCommitted(intent(List.of(snat("snat-1", "198.51.100.7/32")), List.of()));
        advertisements.intentCommitted(intent(List.of(), List.of()));

        assertEquals(List.of(), calls);
    }

    @Test
    void shouldAdvertiseAnSnatPoolAsOnePrefixRoute() {
        advertisements.intentCommitted(intent(List.of(snat("pool", "203.0.113.8/29")), List.of()));

        assertEquals(List.of("+203.0.113.8/29"), calls);
    }

    @Test
    void shouldNotAdvertiseTheAddressOfADisabledNatRule() {
        CompiledIntent.NatRule enabled = dnat("pf-1", "203.0.113.20/32");
        CompiledIntent.NatRule disabled = new CompiledIntent.NatRule(enabled.id(), enabled.name(), enabled.vrf(),
            enabled.action(), enabled.protocol(), enabled.source(), enabled.sourcePortFrom(), enabled.sourcePortTo(),
            enabled.destination(), enabled.destinationPortFrom(), enabled.destinationPortTo(), enabled.translateTo(),
            enabled.translatePort(), false);

        advertisements.intentCommitted(intent(List.of(disabled), List.of()));

        assertEquals(List.of(), calls);
    }

    @Test
    void shouldAdvertiseTheAddressesOfAVpcsRulesOnlyWhileItHasAVnet() {
        // CloudStack creates a VPC's source NAT (and may create port forwards) before its first
        // tier: the rules are stored but not in the data plane, so their addresses are not ours yet.
        List<CompiledIntent.NatRule> rules = List.of(snat("snat-1", "203.0.113.10/32"), dnat("pf-1", "203.0.113.20/32"),
            snat("pool", "203.0.113.8/29"));
        advertisements.intentCommitted(new CompiledIntent(1, List.of(vpc("vpc-a", 0)), rules, List.of(), List.of(), List.of()));
        assertEquals(List.of(), calls, "a VPC without a vNet has no rule in the data plane");

        advertisements.intentCommitted(new CompiledIntent(2, List.of(vpc("vpc-a", 5001)), rules, List.of(), List.of(), List.of()));
        assertEquals(List.of("+203.0.113.10/32", "+203.0.113.20/32", "+203.0.113.8/29"), calls, "the first vNet activates them");
        calls.clear();

        advertisements.intentCommitted(new CompiledIntent(3, List.of(vpc("vpc-a", 0)), rules, List.of(), List.of(), List.of()));
        assertEquals(Set.of("-203.0.113.10/32", "-203.0.113.20/32", "-203.0.113.8/29"), Set.copyOf(calls),
            "deleting the last vNet takes them out of the data plane and off the routes");
        assertEquals(3, calls.size(), calls.toString());
    }

    @Test
    void shouldAdvertiseTheAddressOfAVpcWithoutVnetNamedAsAFileVrfWhoseRulesTheAdaptersCompileThere() {
        // The adapters number VRFs with VrfNumbering.of(config, intent), which holds the file's VRFs:
        // an API VPC "blue" without a vNet has its rules compiled into the file VRF "blue", so they
        // translate traffic and their addresses must be announced (else inbound traffic is lost).
        List<CompiledIntent.NatRule> rules = List.of(inVpc(snat("snat-blue", "203.0.113.10/32"), "blue"),
            inVpc(snat("snat-a", "203.0.113.11/32"), "vpc-a"));
        CompiledIntent intent = new CompiledIntent(1, List.of(vpc("blue", 0), vpc("vpc-a", 0)), rules, List.of(), List.of(),
            List.of());
        assertEquals(Set.of("blue", "public"), VrfNumbering.of(CONFIG, intent).keySet(), "the adapters' VRFs");

        advertisements.intentCommitted(intent);

        assertEquals(List.of("+203.0.113.10/32"), calls, "blue's SNAT is in the data plane; vpc-a (no vNet, no file VRF) is not");
    }

    @Test
    void shouldKeepAnAddressAnActiveRuleStillUsesWhenAnotherVpcLosesItsLastVnet() {
        List<CompiledIntent.NatRule> rules = List.of(snat("snat-a", "203.0.113.10/32"),
            inVpc(snat("snat-b", "203.0.113.10/32"), "vpc-b"), inVpc(dnat("pf-b", "203.0.113.20/32"), "vpc-b"));
        advertisements.intentCommitted(new CompiledIntent(1, List.of(vpc("vpc-a", 5001), vpc("vpc-b", 5002)), rules,
            List.of(), List.of(), List.of()));
        calls.clear();

        advertisements.intentCommitted(new CompiledIntent(2, List.of(vpc("vpc-a", 5001), vpc("vpc-b", 0)), rules,
            List.of(), List.of(), List.of()));

        assertEquals(List.of("-203.0.113.20/32"), calls, "203.0.113.10 is still vpc-a's SNAT address");
    }

    @Test
    void shouldNotLetAnInactiveNatRuleKeepAVipAdvertisedWithoutHealthyBackends() {
        // An address an active NAT rule owns is advertised whatever the LB's health; an inactive one owns nothing.
        advertisements.intentCommitted(new CompiledIntent(1, List.of(vpc("vpc-a", 5001), vpc("vpc-b", 0)),
            List.of(inVpc(dnat("pf-b", "203.0.113.30/32"), "vpc-b")), List.of(lb("web", "203.0.113.30/32")), List.of(),
            List.of()));

        assertEquals(List.of(), calls, "no healthy backend reported, and the DNAT rule is not in the data plane");
    }

    @Test
    void shouldAdvertiseAnApiVipOnlyWhileTheLoadBalancerReportsItAvailable() {
        advertisements.intentCommitted(intent(List.of(), List.of(lb("web", "203.0.113.30/32"))));
        assertEquals(List.of(), calls, "no healthy backend reported yet");

        advertisements.vipListener().vipAvailable("203.0.113.30");
        advertisements.vipListener().vipUnavailable("203.0.113.30");
        advertisements.vipListener().vipAvailable("203.0.113.30");

        assertEquals(List.of("+203.0.113.30/32", "-203.0.113.30/32", "+203.0.113.30/32"), calls);
    }

    @Test
    void shouldKeepTheIntentAddressesWhenTheFileIsReloadedWithoutItsAddress() {
        advertisements.intentCommitted(intent(List.of(snat("snat-1", "203.0.113.10/32")), List.of()));
        calls.clear();

        advertisements.fileChanged(new PublicServices("public", List.of(), Set.of(), List.of()), Set.of());

        assertEquals(List.of("-198.51.100.7/32"), calls);
    }

    // ---------------------------------------------------------------- intent builders

    private static SoftgateConfig config(String json) {
        try {
            return ConfigLoader.parse("test.json", json.getBytes(StandardCharsets.UTF_8));
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An intent whose rules are all in VPC vpc-a, which has a vNet (VXLAN 5001). */
    private static CompiledIntent intent(List<CompiledIntent.NatRule> nats, List<CompiledIntent.LbService> services) {
        return new CompiledIntent(1, List.of(vpc("vpc-a", 5001)), nats, services, List.of(), List.of());
    }

    /** A VPC with a vNet of {@code vni}, or without one ({@code vni} 0). */
    private static CompiledIntent.Vrf vpc(String name, int vni) {
        return new CompiledIntent.Vrf(vni, name, false, vni == 0 ? List.of() : List.of(vni), List.of(), List.of(), List.of());
    }

    private static CompiledIntent.NatRule inVpc(CompiledIntent.NatRule rule, String vpc) {
        return new CompiledIntent.NatRule(rule.id(), rule.name(), vpc, rule.action(), rule.protocol(), rule.source(),
            rule.sourcePortFrom(), rule.sourcePortTo(), rule.destination(), rule.destinationPortFrom(),
            rule.destinationPortTo(), rule.translateTo(), rule.translatePort(), rule.enabled());
    }

    private static CompiledIntent.NatRule snat(String name, String translateTo) {
        return new CompiledIntent.NatRule(1, name, "vpc-a", NatAction.SNAT, CompiledIntent.ANY_PROTOCOL,
            IpPrefix.parse("10.1.0.0/16"), 0, 65535, IpPrefix.parse("0.0.0.0/0"), 0, 65535, IpPrefix.parse(translateTo), 0,
            true);
    }

    private static CompiledIntent.NatRule dnat(String name, String publicAddress) {
        return new CompiledIntent.NatRule(2, name, "vpc-a", NatAction.DNAT, 6, IpPrefix.parse("0.0.0.0/0"), 0, 65535,
            IpPrefix.parse(publicAddress), 80, 80, IpPrefix.parse("10.1.1.10/32"), 8080, true);
    }

    private static CompiledIntent.LbService lb(String name, String vip) {
        return new CompiledIntent.LbService(3, name, "vpc-a", 6, IpPrefix.parse(vip), 80,
            List.of(new CompiledIntent.Backend(IpPrefix.parse("10.1.1.20/32"), 8080)), "None", 2, null, true);
    }
}
