package io.softgate.nat.stage;

import static io.softgate.nat.testing.NatFixture.BLUE_SNAT;
import static io.softgate.nat.testing.NatFixture.BLUE_VRF;
import static io.softgate.nat.testing.NatFixture.PUBLIC_VRF;
import static io.softgate.nat.testing.Packets.tcp;
import static io.softgate.nat.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.core.packet.IcmpFlyweight;
import io.softgate.core.packet.PacketBuilder;
import io.softgate.core.packet.TcpFlyweight;
import io.softgate.core.pipeline.StageHarness;
import io.softgate.nat.config.FilteringMode;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.testing.NatFixture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden table of RFC 5382 REQ-4 (unsolicited inbound SYNs): each row names the requirement, runs
 * its steps (an unsolicited SYN, maybe an outbound SYN, time passing), then one unrelated inbound
 * packet that gives the out2in stage a batch to settle expired holds in, and compares the packet
 * the stage generated (or that none was) byte for byte with one built independently, and the
 * counters it must have moved.
 */
class HeldSynGoldenTableTest {
    private static final String SERVER = "192.0.2.1";
    private static final String OTHER_SERVER = "192.0.2.77";
    private static final String VM = "10.0.0.5";
    /** One port in the range: the mapping an outbound SYN gets is known in advance. */
    private static final int PORT = 40000;
    private static final byte[] UNSOLICITED = tcp(SERVER, 4000, BLUE_SNAT, PORT, TcpFlyweight.FLAG_SYN);

    /** One row: settings, steps before the settling batch, the generated packet (null: none) and counter changes. */
    record Row(NatSettings settings, Consumer<NatFixture> steps, byte[] expectedGenerated,
               Map<String, Long> counterChanges) {
    }

    static Stream<Arguments> table() {
        NatSettings defaults = NatSettings.defaults().withPortRange(PORT, PORT);
        return Stream.of(
            row("RFC 5382 REQ-4: an unsolicited inbound SYN is held, its frame dropped, and not answered within 6 s",
                defaults, nat -> {
                    nat.fromInternet(UNSOLICITED);
                    nat.clock(nat.nowNs() + HeldSyns.HOLD_NS - 1);
                }, null, Map.of("nat44-out2in.drop.unsolicited-syn", 1L, "nat44-out2in.unsolicited-syns-held", 1L,
                    "nat44-out2in.held-syns-answered", 0L)),
            row("RFC 5382 REQ-4: 6 s after an unsolicited SYN with no outbound SYN, ICMP port unreachable quotes it",
                defaults, nat -> {
                    nat.fromInternet(UNSOLICITED);
                    nat.advanceSeconds(6);
                }, portUnreachable(UNSOLICITED), Map.of("nat44-out2in.held-syns-answered", 1L,
                    "nat44-out2in.icmp-unreachable-sent", 1L)),
            row("RFC 5382 REQ-4: an outbound SYN for the connection during the hold discards the held SYN silently",
                defaults, nat -> {
                    nat.fromInternet(UNSOLICITED);
                    nat.advanceSeconds(1);
                    // Simultaneous open: the VM's SYN to the same remote endpoint gets the held SYN's mapping.
                    nat.fromVpc(BLUE_VRF, tcp(VM, 33000, SERVER, 4000, TcpFlyweight.FLAG_SYN));
                    nat.advanceSeconds(5);
                }, null, Map.of("nat44-out2in.held-syns-discarded", 1L, "nat44-out2in.held-syns-answered", 0L)),
            row("RFC 5382 REQ-4 (address-dependent filtering): a SYN the filter refuses is held and answered after 6 s",
                defaults.withFiltering(FilteringMode.ADDRESS_DEPENDENT), nat -> {
                    nat.fromVpc(BLUE_VRF, tcp(VM, 33000, SERVER, 443, TcpFlyweight.FLAG_SYN));
                    nat.fromInternet(tcp(OTHER_SERVER, 5555, BLUE_SNAT, PORT, TcpFlyweight.FLAG_SYN));
                    nat.advanceSeconds(6);
                }, portUnreachable(tcp(OTHER_SERVER, 5555, BLUE_SNAT, PORT, TcpFlyweight.FLAG_SYN)),
                Map.of("nat44-out2in.unsolicited-syns-held", 1L, "nat44-out2in.held-syns-answered", 1L)),
            row("RFC 5382 REQ-4a: with answering disabled the held SYN is dropped silently after 6 s",
                defaults.withUnsolicitedSynPortUnreachable(false), nat -> {
                    nat.fromInternet(UNSOLICITED);
                    nat.advanceSeconds(6);
                }, null, Map.of("nat44-out2in.held-syns-dropped", 1L, "nat44-out2in.held-syns-answered", 0L)),
            row("RFC 1812 §4.3.2.8: with no ICMP error budget the held SYN is dropped after 6 s, counted",
                defaults.withIcmpErrorsPerSecond(0), nat -> {
                    nat.fromInternet(UNSOLICITED);
                    nat.advanceSeconds(6);
                }, null, Map.of("nat44-out2in.held-syns-dropped", 1L, "nat44-out2in.held-syns-answered", 0L))
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void shouldSettleTheHeldSynAsTheRowSays(Row row) {
        try (NatFixture nat = new NatFixture(row.settings())) {
            Map<String, Long> before = new java.util.HashMap<>();
            for (String counter : row.counterChanges().keySet()) {
                before.put(counter, nat.out2in.counter(counter));
            }
            row.steps().accept(nat);

            StageHarness.Outcome trigger = nat.fromInternet(udp(SERVER, 1, "192.0.2.200", 2));
            List<StageHarness.Outcome> generated = nat.out2in.generated();

            assertEquals("route", trigger.verdict(), "the unrelated packet passes");
            if (row.expectedGenerated() == null) {
                assertEquals(0, generated.size(), "no packet may be generated");
            } else {
                assertEquals(1, generated.size(), "one ICMP error");
                assertEquals("route", generated.get(0).verdict());
                assertEquals(PUBLIC_VRF, generated.get(0).vrf(), "the error goes out in the public VRF");
                assertArrayEquals(row.expectedGenerated(), generated.get(0).packet());
            }
            for (Map.Entry<String, Long> change : row.counterChanges().entrySet()) {
                assertEquals(before.get(change.getKey()) + change.getValue(), nat.out2in.counter(change.getKey()),
                    change.getKey());
            }
        }
    }

    @Test
    void shouldDropAndCountAnUnsolicitedSynWhenTheHeldTableIsFull() {
        try (NatFixture nat = new NatFixture(NatSettings.defaults())) {
            List<byte[]> batch = new ArrayList<>();
            int sent = 0;
            while (sent < HeldSyns.DEFAULT_CAPACITY + 1) {
                batch.clear();
                for (int i = 0; i < 64 && sent < HeldSyns.DEFAULT_CAPACITY + 1; i++, sent++) {
                    batch.add(tcp(SERVER, 1024 + sent, BLUE_SNAT, PORT, TcpFlyweight.FLAG_SYN));
                }
                nat.out2in.runAll(batch, slot -> {
                    nat.out2in.batch().l3Offset[slot] = nat.out2in.batch().offset[slot] + 14;
                    nat.out2in.batch().vrf[slot] = PUBLIC_VRF;
                });
            }

            assertEquals(HeldSyns.DEFAULT_CAPACITY, nat.out2in.counter("nat44-out2in.unsolicited-syns-held"));
            assertEquals(1, nat.out2in.counter("nat44-out2in.drop.unsolicited-syn-not-held"));
        }
    }

    /** ICMP port unreachable from the SYN's destination to its source, quoting its IP header and 8 bytes. */
    private static byte[] portUnreachable(byte[] synFrame) {
        byte[] ip = Arrays.copyOfRange(synFrame, 14, synFrame.length);
        String source = address(ip, 16);
        String destination = address(ip, 12);
        byte[] frame = PacketBuilder.ethernet(1, 2).ipv4(source, destination).identification(0).ttl(64)
            .icmp(IcmpFlyweight.V4_DESTINATION_UNREACHABLE, IcmpFlyweight.V4_CODE_PORT_UNREACHABLE, 0)
            .payload(Arrays.copyOfRange(ip, 0, 28)).build();
        return Arrays.copyOfRange(frame, 14, frame.length);
    }

    private static String address(byte[] ip, int at) {
        return (ip[at] & 0xFF) + "." + (ip[at + 1] & 0xFF) + "." + (ip[at + 2] & 0xFF) + "." + (ip[at + 3] & 0xFF);
    }

    private static Arguments row(String description, NatSettings settings, Consumer<NatFixture> steps,
                                 byte[] expectedGenerated, Map<String, Long> counterChanges) {
        return Arguments.of(Named.of(description, new Row(settings, steps, expectedGenerated, counterChanges)));
    }
}
