package io.softgate.acl.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Rules are validated when built, with messages that name the rule and the field. */
class AclRuleValidationTest {
    @Test
    void shouldParseIpv4AndIpv6PrefixesAndClearHostBits() {
        IpPrefix v4 = IpPrefix.parse("10.1.2.3/16");
        assertEquals("10.1.0.0/16", v4.toString());
        assertEquals(IpPrefix.IPV4, v4.family());
        IpPrefix v6 = IpPrefix.parse("2001:db8::1/32");
        assertEquals(IpPrefix.IPV6, v6.family());
        assertEquals(0x2001_0DB8_0000_0000L, v6.high());
        assertEquals(128, IpPrefix.parse("::1").length());
        assertEquals(32, IpPrefix.parse("192.0.2.1").length());
    }

    @Test
    void shouldRejectPrefixesThatAreNotAddresses() {
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("example.com/24"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0.0/x"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse(""));
    }

    @Test
    void shouldRejectPortsOnAProtocolWithoutPorts() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> AclRule.builder("r1", "vpc").protocol(AclProtocol.ICMP).dstPort(80).build());
        assertTrue(error.getMessage().contains("r1"), error.getMessage());
    }

    @Test
    void shouldRejectAnInvertedPortRange() {
        assertThrows(IllegalArgumentException.class,
            () -> AclRule.builder("r1", "vpc").protocol(AclProtocol.TCP).dstPorts(90, 80).build());
    }

    @Test
    void shouldRejectAnIcmpTypeOnTcp() {
        assertThrows(IllegalArgumentException.class,
            () -> AclRule.builder("r1", "vpc").protocol(AclProtocol.TCP).icmpType(8).build());
    }

    @Test
    void shouldRejectPrefixesOfTwoFamilies() {
        assertThrows(IllegalArgumentException.class,
            () -> AclRule.builder("r1", "vpc").srcPrefix("10.0.0.0/8").dstPrefix("2001:db8::/32").build());
    }

    @Test
    void shouldRejectIcmpv4WithIpv6Prefixes() {
        assertThrows(IllegalArgumentException.class,
            () -> AclRule.builder("r1", "vpc").protocol(AclProtocol.ICMP).dstPrefix("2001:db8::/32").build());
    }

    @Test
    void shouldApplyARuleWithoutPrefixesToBothFamilies() {
        AclRule any = AclRule.builder("r1", "vpc").build();
        assertTrue(any.appliesToFamily(IpPrefix.IPV4));
        assertTrue(any.appliesToFamily(IpPrefix.IPV6));
        AclRule icmpv6 = AclRule.builder("r2", "vpc").protocol(AclProtocol.ICMPV6).build();
        assertFalse(icmpv6.appliesToFamily(IpPrefix.IPV4));
    }

    @Test
    void shouldParseTheControllersSpellings() {
        assertEquals(AclAction.PERMIT, AclAction.parse("Permit"));
        assertEquals(AclAction.DENY, AclAction.parse("deny"));
        assertEquals(AclProtocol.ICMPV6, AclProtocol.parse("ICMPv6"));
        assertEquals(AclProtocol.ALL, AclProtocol.parse("all"));
        assertThrows(IllegalArgumentException.class, () -> AclProtocol.parse("sctp"));
        assertThrows(IllegalArgumentException.class, () -> AclAction.parse("maybe"));
    }

    @Test
    void shouldRejectTwoRulesWithOneNameInAVpc() {
        AclRule first = AclRule.builder("same", "vpc").build();
        AclRule second = AclRule.builder("same", "vpc").deny().build();
        assertThrows(IllegalArgumentException.class, () -> AclConfig.of(java.util.List.of(first, second)));
    }
}
