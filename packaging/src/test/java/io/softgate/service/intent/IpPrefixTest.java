package io.softgate.service.intent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpPrefixTest {
    @ParameterizedTest
    @CsvSource({
        "10.0.0.1, 10.0.0.1/32",
        "10.1.0.0/16, 10.1.0.0/16",
        "0.0.0.0/0, 0.0.0.0/0",
        "255.255.255.255/32, 255.255.255.255/32",
        "010.001.0.9/8, 10.1.0.9/8",
        "2001:db8::/32, 2001:db8:0:0:0:0:0:0/32",
        "::1, 0:0:0:0:0:0:0:1/128"})
    void shouldParseAddressesAndPrefixesAndPrintThemCanonically(String text, String printed) {
        assertEquals(printed, IpPrefix.parse(text).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0", "10.0.0.1.", "10..0.1", "1.2.3.4.5", "10.0.0.256", "10.0.0.0001", "10.0.0.-1",
        "10.0.0.1/", "10.0.0.1/33", "10.0.0.1/+8", "10.0.0.1/8/8", "10.0.0.1/1000", "a.b.c.d", " 10.0.0.1", "10.0.0.1 ",
        "2001:db8::/129", "host.example"})
    void shouldRejectWhatIsNotAnAddressOrPrefix(String text) {
        assertNull(IpPrefix.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "192.0.2.1", "203.0.113.255", "10.200.3.4"})
    void shouldPrintIpv4AsInetAddressDoes(String text) throws Exception {
        IpPrefix prefix = IpPrefix.parse(text + "/24");
        assertEquals(InetAddress.getByAddress(prefix.address()).getHostAddress() + "/24", prefix.toString());
    }
}
