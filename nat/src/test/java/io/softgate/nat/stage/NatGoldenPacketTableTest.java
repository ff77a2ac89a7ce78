package io.softgate.nat.stage;

import static io.softgate.nat.testing.NatFixture.BLUE_FORWARD;
import static io.softgate.nat.testing.NatFixture.BLUE_FORWARD_VM;
import static io.softgate.nat.testing.NatFixture.BLUE_SNAT;
import static io.softgate.nat.testing.NatFixture.BLUE_VRF;
import static io.softgate.nat.testing.NatFixture.PUBLIC_VRF;
import static io.softgate.nat.testing.NatFixture.RED_ONE_TO_ONE;
import static io.softgate.nat.testing.NatFixture.RED_ONE_TO_ONE_VM;
import static io.softgate.nat.testing.NatFixture.RED_SNAT;
import static io.softgate.nat.testing.NatFixture.RED_VRF;
import static io.softgate.nat.testing.Packets.ip;
import static io.softgate.nat.testing.Packets.tcp;
import static io.softgate.nat.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.core.packet.IcmpFlyweight;
import io.softgate.core.packet.PacketBuilder;
import io.softgate.core.packet.TcpFlyweight;
import io.softgate.core.pipeline.PacketFlags;
import io.softgate.core.pipeline.StageHarness;
import io.softgate.nat.config.FilteringMode;
import io.softgate.nat.config.NatSettings;
import io.softgate.nat.testing.Frame;
import io.softgate.nat.testing.NatFixture;
import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden packet table of the NAT44 stages: every row names the requirement it checks, runs its
 * setup packets, then one checked packet, and compares the verdict, the VRF the packet continues
 * in and the exact output bytes with a packet built independently by {@link PacketBuilder}; every
 * output's checksums are verified by full recomputation. Dynamic ports are read from the setup's
 * own outputs (they are random by RFC 6056) and checked to lie in the configured range.
 */
class NatGoldenPacketTableTest {
    private static final String SERVER = "192.0.2.1";
    private static final String OTHER_SERVER = "192.0.2.77";
    private static final String ROUTER = "192.0.2.254";
    private static final String VM = "10.0.0.5";
    /** A blue VM outside 10.0.0.0/24, the prefix blue's SNAT rule matches: no NAT rule applies to it. */
    private static final String UNRULED_VM = "10.0.1.5";
    /** Inside blue's ACCEPT_SNAT exclusion (10.1.0.0/16): blue's traffic to it is not translated. */
    private static final String EXCLUDED = "10.1.2.3";

    /** One row: setup, the checked packet, and what must come out. */
    record Row(NatSettings settings, Function<NatFixture, Check> run) {
    }

    /** What the checked packet must produce; {@code expected} null means a drop with {@code dropCounter} + 1. */
    record Check(StageHarness.Outcome outcome, String verdict, int vrf, byte[] expected, StageHarness harness,
                 String dropCounter, long dropsBefore) {
    }

    static Stream<Arguments> table() {
        NatSettings defaults = NatSettings.defaults();
        NatSettings addressDependent = defaults.withFiltering(FilteringMode.ADDRESS_DEPENDENT);
        return Stream.of(
            row("RFC 4787 REQ-1: outbound UDP from a VPC leaves from its SNAT address with an allocated port",
                defaults, nat -> {
                    StageHarness.Outcome out = nat.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53));
                    int port = allocatedPort(out);
                    return forwarded(nat, out, PUBLIC_VRF, udp(BLUE_SNAT, port, SERVER, 53));
                }),
            row("RFC 4787 REQ-1: a second destination from the same endpoint reuses the mapping (EIM)",
                defaults, nat -> {
                    int port = allocatedPort(nat.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53)));
                    StageHarness.Outcome out = nat.fromVpc(BLUE_VRF, udp(VM, 5000, OTHER_SERVER, 123));
                    return forwarded(nat, out, PUBLIC_VRF, udp(BLUE_SNAT, port, OTHER_SERVER, 123));
                }),
            row("DESIGN §1: the same private address in another VPC leaves from that VPC's SNAT address",
                defaults, nat -> {
                    StageHarness.Outcome out = nat.fromVpc(RED_VRF, udp(VM, 5000, SERVER, 53));
                    return forwarded(nat, out, PUBLIC_VRF, udp(RED_SNAT, allocatedPort(out), SERVER, 53));
                }),
            row("RFC 4787 REQ-1: the reply to an outbound UDP flow reaches the VM in its VPC", defaults, nat -> {
                int port = allocatedPort(nat.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53)));
                StageHarness.Outcome in = nat.fromInternet(udp(SERVER, 53, BLUE_SNAT, port));
                return forwarded(nat, in, BLUE_VRF, udp(SERVER, 53, VM, 5000));
            }),
            row("RFC 4787 REQ-8 (endpoint-independent filtering, the default): any remote reaches an active mapping",
                defaults, nat -> {
                    int port = allocatedPort(nat.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53)));
                    StageHarness.Outcome in = nat.fromInternet(udp(OTHER_SERVER, 4000, BLUE_SNAT, port));
                    return forwarded(nat, in, BLUE_VRF, udp(OTHER_SERVER, 4000, VM, 5000));
                }),
            row("RFC 4787 REQ-8 (address-dependent filtering): a remote address never contacted is dropped",
                addressDependent, nat -> {
                    int port = allocatedPort(nat.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53)));
                    long before = nat.out2in.counter("nat44-out2in.drop.filtered-address-dependent");
                    StageHarness.Outcome in = nat.fromInternet(udp(OTHER_SERVER, 4000, BLUE_SNAT, port));
                    return dropped(nat, in, "nat44-out2in.drop.filtered-address-dependent", before);
                }),
            row("RFC 4787 REQ-8 (address-dependent filtering): another port of a contacted address is delivered",
                addressDependent, nat -> {
                    int port = allocatedPort(nat.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53)));
                    StageHarness.Outcome in = nat.fromInternet(udp(SERVER, 9999, BLUE_SNAT, port));
                    return forwarded(nat, in, BLUE_VRF, udp(SERVER, 9999, VM, 5000));
                }),
            row("RFC 5382 REQ-4: an unsolicited inbound SYN is dropped silently (no answer)", defaults, nat -> {
                long before = nat.out2in.counter("nat44-out2in.drop.unsolicited-syn");
                StageHarness.Outcome in = nat.fromInternet(tcp(SERVER, 4000, BLUE_SNAT, 40000, TcpFlyweight.FLAG_SYN));
                return dropped(nat, in, "nat44-out2in.drop.unsolicited-syn", before);
            }),
            row("RFC 5382 REQ-1: the SYN-ACK of an outbound TCP connection reaches the VM", defaults, nat -> {
                int port = allocatedPort(nat.fromVpc(BLUE_VRF, tcp(VM, 33000, SERVER, 443, TcpFlyweight.FLAG_SYN)));
                StageHarness.Outcome in = nat.fromInternet(tcp(SERVER, 443, BLUE_SNAT, port,
                    TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_ACK));
                return forwarded(nat, in, BLUE_VRF, tcp(SERVER, 443, VM, 33000,
                    TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_ACK));
            }),
            row("DNAT port forward: TCP to the public address and port reaches the VM's port in its VPC", defaults,
                nat -> {
                    StageHarness.Outcome in = nat.fromInternet(tcp(SERVER, 4000, BLUE_FORWARD, 8080,
                        TcpFlyweight.FLAG_SYN));
                    return forwarded(nat, in, BLUE_VRF, tcp(SERVER, 4000, BLUE_FORWARD_VM, 80, TcpFlyweight.FLAG_SYN));
                }),
            row("DNAT port forward: the VM's answer leaves from the public address and port", defaults, nat -> {
                nat.fromInternet(tcp(SERVER, 4000, BLUE_FORWARD, 8080, TcpFlyweight.FLAG_SYN));
                StageHarness.Outcome out = nat.fromVpc(BLUE_VRF, tcp(BLUE_FORWARD_VM, 80, SERVER, 4000,
                    TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_ACK));
                return forwarded(nat, out, PUBLIC_VRF, tcp(BLUE_FORWARD, 8080, SERVER, 4000,
                    TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_ACK));
            }),
            row("1:1 NAT: any protocol to the elastic address reaches the VM, ports kept", defaults, nat -> {
                StageHarness.Outcome in = nat.fromInternet(udp(SERVER, 7000, RED_ONE_TO_ONE, 9999));
                return forwarded(nat, in, RED_VRF, udp(SERVER, 7000, RED_ONE_TO_ONE_VM, 9999));
            }),
            row("1:1 NAT: the VM's own outbound traffic leaves from its elastic address, port kept", defaults,
                nat -> {
                    StageHarness.Outcome out = nat.fromVpc(RED_VRF, tcp(RED_ONE_TO_ONE_VM, 45000, SERVER, 443,
                        TcpFlyweight.FLAG_SYN));
                    return forwarded(nat, out, PUBLIC_VRF, tcp(RED_ONE_TO_ONE, 45000, SERVER, 443,
                        TcpFlyweight.FLAG_SYN));
                }),
            row("1:1 NAT (RFC 5508 ICMP query): an inbound echo request reaches the VM, identifier kept", defaults,
                nat -> {
                    StageHarness.Outcome in = nat.fromInternet(ip(SERVER, RED_ONE_TO_ONE).icmpEcho(77, 1).payload(16)
                        .build());
                    return forwarded(nat, in, RED_VRF, ip(SERVER, RED_ONE_TO_ONE_VM).icmpEcho(77, 1).payload(16)
                        .build());
                }),
            row("1:1 NAT (RFC 5508 ICMP query): the VM's echo reply leaves with its identifier untouched", defaults,
                nat -> {
                    nat.fromInternet(ip(SERVER, RED_ONE_TO_ONE).icmpEcho(77, 1).payload(16).build());
                    StageHarness.Outcome out = nat.fromVpc(RED_VRF, ip(RED_ONE_TO_ONE_VM, SERVER)
                        .icmp(IcmpFlyweight.V4_ECHO_REPLY, 0, (77 << 16) | 1).payload(16).build());
                    return forwarded(nat, out, PUBLIC_VRF, ip(RED_ONE_TO_ONE, SERVER)
                        .icmp(IcmpFlyweight.V4_ECHO_REPLY, 0, (77 << 16) | 1).payload(16).build());
                }),
            row("RFC 5508 ICMP query mapping: an outbound echo request gets a translated identifier", defaults,
                nat -> {
                    StageHarness.Outcome out = nat.fromVpc(BLUE_VRF, ip(VM, SERVER).icmpEcho(300, 9).payload(16)
                        .build());
                    int identifier = new Frame(out.packet()).icmpIdentifier();
                    return forwarded(nat, out, PUBLIC_VRF, ip(BLUE_SNAT, SERVER).icmpEcho(identifier, 9).payload(16)
                        .build());
                }),
            row("RFC 5508 ICMP query mapping: an echo request with identifier 0 is a query too (not a reply): "
                + "translated, and its reply returns with identifier 0", defaults, nat -> {
                    StageHarness.Outcome out = nat.fromVpc(BLUE_VRF, ip(VM, SERVER).icmpEcho(0, 4).payload(16).build());
                    int identifier = new Frame(out.packet()).icmpIdentifier();
                    StageHarness.Outcome in = nat.fromInternet(ip(SERVER, BLUE_SNAT)
                        .icmp(IcmpFlyweight.V4_ECHO_REPLY, 0, (identifier << 16) | 4).payload(16).build());
                    return forwarded(nat, in, BLUE_VRF, ip(SERVER, VM)
                        .icmp(IcmpFlyweight.V4_ECHO_REPLY, 0, 4).payload(16).build());
                }),
            row("1:1 NAT (RFC 5508 ICMP query): an inbound echo request with identifier 0 reaches the VM", defaults,
                nat -> {
                    StageHarness.Outcome in = nat.fromInternet(ip(SERVER, RED_ONE_TO_ONE).icmpEcho(0, 2).payload(16)
                        .build());
                    return forwarded(nat, in, RED_VRF, ip(SERVER, RED_ONE_TO_ONE_VM).icmpEcho(0, 2).payload(16)
                        .build());
                }),
            row("RFC 5508 ICMP query mapping: the echo reply returns to the VM with its own identifier", defaults,
                nat -> {
                    StageHarness.Outcome out = nat.fromVpc(BLUE_VRF, ip(VM, SERVER).icmpEcho(300, 9).payload(16)
                        .build());
                    int identifier = new Frame(out.packet()).icmpIdentifier();
                    StageHarness.Outcome in = nat.fromInternet(ip(SERVER, BLUE_SNAT)
                        .icmp(IcmpFlyweight.V4_ECHO_REPLY, 0, (identifier << 16) | 9).payload(16).build());
                    return forwarded(nat, in, BLUE_VRF, ip(SERVER, VM)
                        .icmp(IcmpFlyweight.V4_ECHO_REPLY, 0, (300 << 16) | 9).payload(16).build());
                }),
            row("RFC 5508 / RFC 5382 REQ-9: an inbound ICMP error (TTL exceeded) for an active TCP mapping is "
                + "translated, embedded header included", defaults, nat -> {
                    byte[] syn = tcp(VM, 33000, SERVER, 443, TcpFlyweight.FLAG_SYN);
                    StageHarness.Outcome out = nat.fromVpc(BLUE_VRF, syn);
                    byte[] sent = out.packet();
                    StageHarness.Outcome in = nat.fromInternet(icmpError(ROUTER, BLUE_SNAT,
                        IcmpFlyweight.V4_TIME_EXCEEDED, 0, 0, quote(sent, 28)));
                    return forwarded(nat, in, BLUE_VRF, icmpError(ROUTER, VM, IcmpFlyweight.V4_TIME_EXCEEDED, 0, 0,
                        quote(syn, 28)));
                }),
            row("RFC 5508 / RFC 4787: an inbound fragmentation-needed error quoting a whole UDP datagram is "
                + "translated with every checksum valid", defaults, nat -> {
                    byte[] datagram = udp(VM, 5000, SERVER, 53);
                    byte[] sent = nat.fromVpc(BLUE_VRF, datagram).packet();
                    StageHarness.Outcome in = nat.fromInternet(icmpError(ROUTER, BLUE_SNAT,
                        IcmpFlyweight.V4_DESTINATION_UNREACHABLE, IcmpFlyweight.V4_CODE_FRAGMENTATION_NEEDED, 1400,
                        quote(sent, sent.length - 14)));
                    return forwarded(nat, in, BLUE_VRF, icmpError(ROUTER, VM, IcmpFlyweight.V4_DESTINATION_UNREACHABLE,
                        IcmpFlyweight.V4_CODE_FRAGMENTATION_NEEDED, 1400, quote(datagram, datagram.length - 14)));
                }),
            row("RFC 5508: an outbound ICMP port unreachable from a VM about a forwarded packet is translated",
                defaults, nat -> {
                    nat.fromInternet(udp(SERVER, 7000, RED_ONE_TO_ONE, 9999));
                    byte[] delivered = udp(SERVER, 7000, RED_ONE_TO_ONE_VM, 9999);
                    StageHarness.Outcome out = nat.fromVpc(RED_VRF, icmpError(RED_ONE_TO_ONE_VM, SERVER,
                        IcmpFlyweight.V4_DESTINATION_UNREACHABLE, IcmpFlyweight.V4_CODE_PORT_UNREACHABLE, 0,
                        quote(delivered, delivered.length - 14)));
                    byte[] original = udp(SERVER, 7000, RED_ONE_TO_ONE, 9999);
                    return forwarded(nat, out, PUBLIC_VRF, icmpError(RED_ONE_TO_ONE, SERVER,
                        IcmpFlyweight.V4_DESTINATION_UNREACHABLE, IcmpFlyweight.V4_CODE_PORT_UNREACHABLE, 0,
                        quote(original, original.length - 14)));
                }),
            row("RFC 5508: an inbound ICMP error quoting a translated echo request gets the VM's address and "
                + "identifier back", defaults, nat -> {
                    byte[] echo = ip(VM, SERVER).icmpEcho(300, 9).payload(16).build();
                    byte[] sent = nat.fromVpc(BLUE_VRF, echo).packet();
                    StageHarness.Outcome in = nat.fromInternet(icmpError(ROUTER, BLUE_SNAT,
                        IcmpFlyweight.V4_TIME_EXCEEDED, 0, 0, quote(sent, sent.length - 14)));
                    return forwarded(nat, in, BLUE_VRF, icmpError(ROUTER, VM, IcmpFlyweight.V4_TIME_EXCEEDED, 0, 0,
                        quote(echo, echo.length - 14)));
                }),
            row("RFC 5508 / RFC 5382 REQ-9: an inbound ICMP error about a port-forward reply reaches the VM",
                defaults, nat -> {
                    nat.fromInternet(tcp(SERVER, 4000, BLUE_FORWARD, 8080, TcpFlyweight.FLAG_SYN));
                    byte[] answer = tcp(BLUE_FORWARD_VM, 80, SERVER, 4000, TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_ACK);
                    byte[] sent = nat.fromVpc(BLUE_VRF, answer).packet();
                    StageHarness.Outcome in = nat.fromInternet(icmpError(ROUTER, BLUE_FORWARD,
                        IcmpFlyweight.V4_DESTINATION_UNREACHABLE, IcmpFlyweight.V4_CODE_FRAGMENTATION_NEEDED, 1280,
                        quote(sent, 28)));
                    return forwarded(nat, in, BLUE_VRF, icmpError(ROUTER, BLUE_FORWARD_VM,
                        IcmpFlyweight.V4_DESTINATION_UNREACHABLE, IcmpFlyweight.V4_CODE_FRAGMENTATION_NEEDED, 1280,
                        quote(answer, 28)));
                }),
            row("RFC 5508: an inbound ICMP error whose embedded packet matches no session is dropped", defaults,
                nat -> {
                    byte[] never = udp(BLUE_SNAT, 41000, SERVER, 53);
                    long before = nat.out2in.counter("nat44-out2in.drop.icmp-error-no-session");
                    StageHarness.Outcome in = nat.fromInternet(icmpError(ROUTER, BLUE_SNAT,
                        IcmpFlyweight.V4_TIME_EXCEEDED, 0, 0, quote(never, 28)));
                    return dropped(nat, in, "nat44-out2in.drop.icmp-error-no-session", before);
                }),
            row("RFC 5508: an inbound ICMP error quoting a later fragment (no ports to match, 4 bytes of it "
                + "quoted) is dropped as such", defaults,
                nat -> {
                    byte[] later = ip(BLUE_SNAT, SERVER).identification(0x4545).fragment(false, 32).rawProtocol(17)
                        .payload(16).build();
                    long before = nat.out2in.counter("nat44-out2in.drop.icmp-error-quotes-later-fragment");
                    StageHarness.Outcome in = nat.fromInternet(icmpError(ROUTER, BLUE_SNAT,
                        IcmpFlyweight.V4_TIME_EXCEEDED, 0, 0, quote(later, 24)));
                    return dropped(nat, in, "nat44-out2in.drop.icmp-error-quotes-later-fragment", before);
                }),
            row("RFC 5508 REQ-3: an inbound ICMP error whose ICMP checksum is wrong is dropped, not repaired",
                defaults, nat -> {
                    byte[] sent = nat.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53)).packet();
                    byte[] error = icmpError(ROUTER, BLUE_SNAT, IcmpFlyweight.V4_TIME_EXCEEDED, 0, 0, quote(sent, 28));
                    error[error.length - 1] ^= 0x20; // a quoted bit flipped after the checksum was computed
                    long before = nat.out2in.counter("nat44-out2in.drop.icmp-error-bad-checksum");
                    return dropped(nat, nat.fromInternet(error), "nat44-out2in.drop.icmp-error-bad-checksum", before);
                }),
            row("RFC 5508 REQ-3: an inbound ICMP error whose embedded IPv4 header checksum is wrong (under a right "
                + "ICMP checksum) is dropped, not repaired", defaults, nat -> {
                    byte[] sent = nat.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53)).packet();
                    byte[] quoted = quote(sent, 28);
                    quoted[10] ^= 0x5A; // the embedded header checksum
                    long before = nat.out2in.counter("nat44-out2in.drop.icmp-error-bad-checksum");
                    return dropped(nat, nat.fromInternet(icmpError(ROUTER, BLUE_SNAT, IcmpFlyweight.V4_TIME_EXCEEDED,
                        0, 0, quoted)), "nat44-out2in.drop.icmp-error-bad-checksum", before);
                }),
            row("RFC 5508 REQ-3: an outbound ICMP error from a VM whose ICMP checksum is wrong is dropped", defaults,
                nat -> {
                    nat.fromInternet(udp(SERVER, 7000, RED_ONE_TO_ONE, 9999));
                    byte[] delivered = udp(SERVER, 7000, RED_ONE_TO_ONE_VM, 9999);
                    byte[] error = icmpError(RED_ONE_TO_ONE_VM, SERVER, IcmpFlyweight.V4_DESTINATION_UNREACHABLE,
                        IcmpFlyweight.V4_CODE_PORT_UNREACHABLE, 0, quote(delivered, delivered.length - 14));
                    error[14 + 20 + 2] ^= 0x5A; // the ICMP checksum
                    long before = nat.in2out.counter("nat44-in2out.drop.icmp-error-bad-checksum");
                    return dropped(nat, nat.fromVpc(RED_VRF, error), "nat44-in2out.drop.icmp-error-bad-checksum",
                        before);
                }),
            row("RFC 5508 REQ-3: a hairpinned ICMP error whose ICMP checksum is wrong is dropped before either "
                + "translation", defaults, nat -> {
                    byte[] delivered = nat.fromVpc(BLUE_VRF, udp(VM, 5000, RED_ONE_TO_ONE, 9999)).packet();
                    byte[] error = icmpError(RED_ONE_TO_ONE_VM, BLUE_SNAT, IcmpFlyweight.V4_DESTINATION_UNREACHABLE,
                        IcmpFlyweight.V4_CODE_PORT_UNREACHABLE, 0, quote(delivered, delivered.length - 14));
                    error[14 + 20 + 2] ^= 0x5A; // the ICMP checksum
                    long before = nat.in2out.counter("nat44-in2out.drop.icmp-error-bad-checksum");
                    return dropped(nat, nat.fromVpc(RED_VRF, error), "nat44-in2out.drop.icmp-error-bad-checksum",
                        before);
                }),
            row("RFC 5508 REQ-3 / RFC 792: an error quoting an odd number of bytes of the datagram (a router "
                + "truncated it) has its ICMP checksum verified over what is there, and is translated", defaults,
                nat -> {
                    byte[] datagram = udp(VM, 5000, SERVER, 53);
                    byte[] sent = nat.fromVpc(BLUE_VRF, datagram).packet();
                    StageHarness.Outcome in = nat.fromInternet(icmpError(ROUTER, BLUE_SNAT,
                        IcmpFlyweight.V4_TIME_EXCEEDED, 0, 0, quote(sent, 33)));
                    return forwarded(nat, in, BLUE_VRF, icmpError(ROUTER, VM, IcmpFlyweight.V4_TIME_EXCEEDED, 0, 0,
                        quote(datagram, 33)));
                }),
            row("RFC 4787 REQ-9 / RFC 5382 REQ-8: hairpin — a VM reaches its VPC's forwarded address and the "
                + "server sees the VM's SNAT address", defaults, nat -> {
                    StageHarness.Outcome out = nat.fromVpc(BLUE_VRF, tcp(VM, 33000, BLUE_FORWARD, 8080,
                        TcpFlyweight.FLAG_SYN));
                    int port = new Frame(out.packet()).sourcePort();
                    assertTrue(port >= 1024, "allocated port " + port);
                    return forwarded(nat, out, BLUE_VRF, tcp(BLUE_SNAT, port, BLUE_FORWARD_VM, 80,
                        TcpFlyweight.FLAG_SYN));
                }),
            row("RFC 4787 REQ-9: the hairpinned server's answer returns to the VM from the forwarded address",
                defaults, nat -> {
                    StageHarness.Outcome out = nat.fromVpc(BLUE_VRF, tcp(VM, 33000, BLUE_FORWARD, 8080,
                        TcpFlyweight.FLAG_SYN));
                    int port = new Frame(out.packet()).sourcePort();
                    StageHarness.Outcome back = nat.fromVpc(BLUE_VRF, tcp(BLUE_FORWARD_VM, 80, BLUE_SNAT, port,
                        TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_ACK));
                    return forwarded(nat, back, BLUE_VRF, tcp(BLUE_FORWARD, 8080, VM, 33000,
                        TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_ACK));
                }),
            row("RFC 5508 REQ-7 / RFC 7857 §12: a 1:1 VM's port unreachable about a datagram hairpinned from "
                + "another VPC goes back in to the sender in its VPC, from the elastic address, quoting the "
                + "datagram as the sender sent it", defaults, nat -> {
                    byte[] datagram = udp(VM, 5000, RED_ONE_TO_ONE, 9999);
                    byte[] delivered = nat.fromVpc(BLUE_VRF, datagram).packet();
                    assertEquals(BLUE_SNAT, new Frame(delivered).source(), "hairpinned with the SNAT address");
                    StageHarness.Outcome back = nat.fromVpc(RED_VRF, icmpError(RED_ONE_TO_ONE_VM, BLUE_SNAT,
                        IcmpFlyweight.V4_DESTINATION_UNREACHABLE, IcmpFlyweight.V4_CODE_PORT_UNREACHABLE, 0,
                        quote(delivered, delivered.length - 14)));
                    return forwarded(nat, back, BLUE_VRF, icmpError(RED_ONE_TO_ONE, VM,
                        IcmpFlyweight.V4_DESTINATION_UNREACHABLE, IcmpFlyweight.V4_CODE_PORT_UNREACHABLE, 0,
                        quote(datagram, datagram.length - 14)));
                }),
            row("RFC 5508 REQ-7 / RFC 7857 §12: the sender's port unreachable about the 1:1 VM's hairpinned "
                + "answer goes back in to the 1:1 VM, from the sender's SNAT address", defaults, nat -> {
                    int port = new Frame(nat.fromVpc(BLUE_VRF, udp(VM, 5000, RED_ONE_TO_ONE, 9999)).packet())
                        .sourcePort();
                    byte[] answer = udp(RED_ONE_TO_ONE_VM, 9999, BLUE_SNAT, port);
                    byte[] received = nat.fromVpc(RED_VRF, answer).packet();
                    assertArrayEquals(udp(RED_ONE_TO_ONE, 9999, VM, 5000), received, "the answer hairpinned");
                    StageHarness.Outcome back = nat.fromVpc(BLUE_VRF, icmpError(VM, RED_ONE_TO_ONE,
                        IcmpFlyweight.V4_DESTINATION_UNREACHABLE, IcmpFlyweight.V4_CODE_PORT_UNREACHABLE, 0,
                        quote(received, received.length - 14)));
                    return forwarded(nat, back, RED_VRF, icmpError(BLUE_SNAT, RED_ONE_TO_ONE_VM,
                        IcmpFlyweight.V4_DESTINATION_UNREACHABLE, IcmpFlyweight.V4_CODE_PORT_UNREACHABLE, 0,
                        quote(answer, answer.length - 14)));
                }),
            row("RFC 5508 REQ-7 / RFC 7857 §12: a forwarded VM's error about a TCP segment hairpinned from its "
                + "own VPC (8 bytes of TCP quoted) goes back in to the sender from the forwarded address and port",
                defaults, nat -> {
                    byte[] syn = tcp(VM, 33000, BLUE_FORWARD, 8080, TcpFlyweight.FLAG_SYN);
                    byte[] delivered = nat.fromVpc(BLUE_VRF, syn).packet();
                    StageHarness.Outcome back = nat.fromVpc(BLUE_VRF, icmpError(BLUE_FORWARD_VM, BLUE_SNAT,
                        IcmpFlyweight.V4_DESTINATION_UNREACHABLE, IcmpFlyweight.V4_CODE_ADMIN_PROHIBITED, 0,
                        quote(delivered, 28)));
                    return forwarded(nat, back, BLUE_VRF, icmpError(BLUE_FORWARD, VM,
                        IcmpFlyweight.V4_DESTINATION_UNREACHABLE, IcmpFlyweight.V4_CODE_ADMIN_PROHIBITED, 0,
                        quote(syn, 28)));
                }),
            row("ACCEPT_SNAT: traffic to an excluded prefix leaves untranslated in its VPC", defaults, nat -> {
                byte[] packet = udp(VM, 5000, "10.1.2.3", 53);
                return forwarded(nat, nat.fromVpc(BLUE_VRF, packet), BLUE_VRF, packet);
            }),
            row("Inbound traffic to an address the NAT does not own passes unchanged", defaults, nat -> {
                byte[] packet = udp(SERVER, 53, "192.0.2.99", 5000);
                return forwarded(nat, nat.fromInternet(packet), PUBLIC_VRF, packet);
            }),
            row("RFC 4787 REQ-14: a later fragment follows its first fragment's translation", defaults, nat -> {
                byte[] first = ip(VM, SERVER).identification(0x4242).fragment(true, 0).udp(5000, 53).payload(24)
                    .build();
                StageHarness.Outcome firstOut = nat.fromVpc(BLUE_VRF, first);
                byte[] second = ip(VM, SERVER).identification(0x4242).fragment(false, 32).rawProtocol(17)
                    .payload(16).build();
                StageHarness.Outcome secondOut = nat.fromVpc(BLUE_VRF, second);
                assertEquals(BLUE_SNAT, new Frame(firstOut.packet()).source());
                return forwarded(nat, secondOut, PUBLIC_VRF, ip(BLUE_SNAT, SERVER).identification(0x4242)
                    .fragment(false, 32).rawProtocol(17).payload(16).build());
            }),
            row("RFC 4787 REQ-14: a later fragment that arrives before its first is held, never sent untranslated",
                defaults, nat -> {
                    long before = nat.in2out.counter("nat44-in2out.drop.fragment-held");
                    byte[] second = ip(VM, SERVER).identification(0x4343).fragment(false, 32).rawProtocol(17)
                        .payload(16).build();
                    return dropped(nat, nat.fromVpc(BLUE_VRF, second), "nat44-in2out.drop.fragment-held", before);
                }),
            row("RFC 4787 REQ-14: a later fragment held in one batch leaves translated with its first in the next",
                defaults, nat -> {
                    nat.fromVpc(BLUE_VRF, ip(VM, SERVER).identification(0x4444).fragment(false, 32).rawProtocol(17)
                        .payload(16).build());
                    nat.fromVpc(BLUE_VRF, ip(VM, SERVER).identification(0x4444).fragment(true, 0).udp(5000, 53)
                        .payload(24).build());
                    assertEquals(1, nat.in2out.generated().size(), "the held fragment, released");
                    return forwarded(nat, nat.in2out.generated().get(0), PUBLIC_VRF, ip(BLUE_SNAT, SERVER)
                        .identification(0x4444).fragment(false, 32).rawProtocol(17).payload(16).build());
                }),
            row("RFC 4787 REQ-14: an inbound later fragment held in one batch reaches the VM with its first in the next",
                defaults, nat -> {
                    int port = allocatedPort(nat.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53)));
                    nat.fromInternet(ip(SERVER, BLUE_SNAT).identification(0x4545).fragment(false, 32).rawProtocol(17)
                        .payload(16).build());
                    nat.fromInternet(ip(SERVER, BLUE_SNAT).identification(0x4545).fragment(true, 0).udp(53, port)
                        .payload(24).build());
                    assertEquals(1, nat.out2in.generated().size(), "the held fragment, released");
                    return forwarded(nat, nat.out2in.generated().get(0), BLUE_VRF, ip(SERVER, VM)
                        .identification(0x4545).fragment(false, 32).rawProtocol(17).payload(16).build());
                }),
            row("RFC 4787 REQ-14: a later fragment of an ACCEPT_SNAT flow passes like its first fragment, in its VPC",
                defaults, nat -> {
                    byte[] first = firstFragment(VM, EXCLUDED, 0x4646, 5000, 53);
                    assertArrayEquals(first, nat.fromVpc(BLUE_VRF, first).packet(), "the first passes untranslated");
                    byte[] later = laterFragment(VM, EXCLUDED, 0x4646);
                    return forwarded(nat, nat.fromVpc(BLUE_VRF, later), BLUE_VRF, later);
                }),
            row("RFC 4787 REQ-14: a later fragment of an ACCEPT_SNAT flow held before its first leaves with it, "
                + "untranslated, in its VPC", defaults, nat -> {
                    byte[] later = laterFragment(VM, EXCLUDED, 0x4747);
                    assertEquals(StageHarness.DROPPED, nat.fromVpc(BLUE_VRF, later).verdict(), "held");
                    nat.fromVpc(BLUE_VRF, firstFragment(VM, EXCLUDED, 0x4747, 5000, 53));
                    assertEquals(1, nat.in2out.generated().size(), "the held fragment, released");
                    return forwarded(nat, nat.in2out.generated().get(0), BLUE_VRF, later);
                }),
            row("RFC 4787 REQ-14: a later fragment of a flow no NAT rule matches passes like its first fragment",
                defaults, nat -> {
                    byte[] first = firstFragment(UNRULED_VM, SERVER, 0x4848, 5000, 53);
                    assertArrayEquals(first, nat.fromVpc(BLUE_VRF, first).packet(), "the first passes untranslated");
                    byte[] later = laterFragment(UNRULED_VM, SERVER, 0x4848);
                    return forwarded(nat, nat.fromVpc(BLUE_VRF, later), BLUE_VRF, later);
                }),
            row("RFC 4787 REQ-14: a later fragment of a flow no NAT rule matches, held before its first, leaves "
                + "with it untranslated", defaults, nat -> {
                    byte[] later = laterFragment(UNRULED_VM, SERVER, 0x4949);
                    assertEquals(StageHarness.DROPPED, nat.fromVpc(BLUE_VRF, later).verdict(), "held");
                    nat.fromVpc(BLUE_VRF, firstFragment(UNRULED_VM, SERVER, 0x4949, 5000, 53));
                    assertEquals(1, nat.in2out.generated().size(), "the held fragment, released");
                    return forwarded(nat, nat.in2out.generated().get(0), BLUE_VRF, later);
                }),
            row("RFC 4787 REQ-9 / REQ-14: a later fragment of a flow no NAT rule matches, to a NAT address, is "
                + "hairpinned like its first fragment (source kept, destination to the 1:1 VM)", defaults, nat -> {
                    StageHarness.Outcome firstOut = nat.fromVpc(BLUE_VRF,
                        firstFragment(UNRULED_VM, RED_ONE_TO_ONE, 0x4a4a, 5000, 9999));
                    assertArrayEquals(firstFragment(UNRULED_VM, RED_ONE_TO_ONE_VM, 0x4a4a, 5000, 9999),
                        firstOut.packet(), "the first: source untranslated, destination to the 1:1 VM");
                    assertEquals(RED_VRF, firstOut.vrf());
                    return forwarded(nat, nat.fromVpc(BLUE_VRF, laterFragment(UNRULED_VM, RED_ONE_TO_ONE, 0x4a4a)),
                        RED_VRF, laterFragment(UNRULED_VM, RED_ONE_TO_ONE_VM, 0x4a4a));
                }),
            row("RFC 4787 REQ-9 / REQ-14: the same, held before its first fragment: leaves with it, hairpinned",
                defaults, nat -> {
                    nat.fromVpc(BLUE_VRF, laterFragment(UNRULED_VM, RED_ONE_TO_ONE, 0x4b4b));
                    nat.fromVpc(BLUE_VRF, firstFragment(UNRULED_VM, RED_ONE_TO_ONE, 0x4b4b, 5000, 9999));
                    assertEquals(1, nat.in2out.generated().size(), "the held fragment, released");
                    return forwarded(nat, nat.in2out.generated().get(0), RED_VRF,
                        laterFragment(UNRULED_VM, RED_ONE_TO_ONE_VM, 0x4b4b));
                }),
            row("RFC 4787 REQ-14: an inbound later fragment to an address the NAT does not own passes like its "
                + "first fragment", defaults, nat -> {
                    byte[] first = firstFragment(SERVER, "192.0.2.99", 0x4c4c, 53, 5000);
                    assertArrayEquals(first, nat.fromInternet(first).packet());
                    byte[] later = laterFragment(SERVER, "192.0.2.99", 0x4c4c);
                    return forwarded(nat, nat.fromInternet(later), PUBLIC_VRF, later);
                }),
            row("MSS clamping: the MSS of an outbound SYN is lowered to the configured value",
                defaults.withTcpMssClamp(1400), nat -> {
                    StageHarness.Outcome out = nat.fromVpc(BLUE_VRF, ip(VM, SERVER).tcp(33000, 443)
                        .tcpFlags(TcpFlyweight.FLAG_SYN).tcpMss(1460).build());
                    return forwarded(nat, out, PUBLIC_VRF, ip(BLUE_SNAT, SERVER).tcp(allocatedPort(out), 443)
                        .tcpFlags(TcpFlyweight.FLAG_SYN).tcpMss(1400).build());
                }),
            row("RFC 768: a UDP datagram without checksum keeps a zero checksum", defaults, nat -> {
                StageHarness.Outcome out = nat.fromVpc(BLUE_VRF, ip(VM, SERVER).udp(5000, 53).zeroUdpChecksum()
                    .payload(12).build());
                return forwarded(nat, out, PUBLIC_VRF, ip(BLUE_SNAT, SERVER).udp(allocatedPort(out), 53)
                    .zeroUdpChecksum().payload(12).build());
            }),
            row("NAT44 only: an IPv6 packet passes untouched", defaults, nat -> {
                byte[] packet = PacketBuilder.ethernet(1, 2).ipv6("fd00::5", "2001:db8::1").udp(5000, 53).payload(8)
                    .build();
                StageHarness.Outcome out = nat.in2out.run(packet, slot -> {
                    nat.in2out.batch().l3Offset[slot] = nat.in2out.batch().offset[slot] + 14;
                    nat.in2out.batch().vrf[slot] = BLUE_VRF;
                    nat.in2out.batch().flags[slot] = PacketFlags.INNER_IPV6;
                });
                return forwarded(nat, out, BLUE_VRF, packet);
            }),
            row("RFC 6888 / DESIGN §8: when no port is left a new flow is refused with ICMP unreachable code 13",
                defaults.withPortRange(40000, 40000), nat -> {
                    nat.fromVpc(BLUE_VRF, udp(VM, 5000, SERVER, 53));
                    byte[] refused = udp("10.0.0.6", 5000, SERVER, 53);
                    StageHarness.Outcome out = nat.fromVpc(BLUE_VRF, refused);
                    return forwarded(nat, out, BLUE_VRF, icmpError(SERVER, "10.0.0.6",
                        IcmpFlyweight.V4_DESTINATION_UNREACHABLE, IcmpFlyweight.V4_CODE_ADMIN_PROHIBITED, 0,
                        quote(refused, 28), 64, 0));
                })
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void shouldProduceTheGoldenOutput(Row row) {
        try (NatFixture nat = new NatFixture(row.settings())) {
            Check check = row.run().apply(nat);
            assertEquals(check.verdict(), check.outcome().verdict(), "verdict");
            if (check.expected() == null) {
                assertEquals(check.dropsBefore() + 1, check.harness().counter(check.dropCounter()), check.dropCounter());
                return;
            }
            assertEquals(check.vrf(), check.outcome().vrf(), "VRF the packet continues in");
            assertArrayEquals(check.expected(), check.outcome().packet(),
                () -> "expected " + hex(check.expected()) + "\n   got   " + hex(check.outcome().packet()));
            if (check.outcome().packet()[12] == 0x08) {
                new Frame(check.outcome().packet()).assertChecksumsValid();
            }
        }
    }

    private static Arguments row(String description, NatSettings settings, Function<NatFixture, Check> run) {
        return Arguments.of(Named.of(description, new Row(settings, run)));
    }

    private static Check forwarded(NatFixture nat, StageHarness.Outcome outcome, int vrf, byte[] expected) {
        return new Check(outcome, "route", vrf, expected, null, null, 0);
    }

    private static Check dropped(NatFixture nat, StageHarness.Outcome outcome, String counter, long before) {
        StageHarness harness = counter.startsWith("nat44-in2out") ? nat.in2out : nat.out2in;
        return new Check(outcome, StageHarness.DROPPED, -1, null, harness, counter, before);
    }

    /** The source port the NAT allocated, checked to lie in the default range. */
    private static int allocatedPort(StageHarness.Outcome outcome) {
        int port = new Frame(outcome.packet()).sourcePort();
        assertTrue(port >= 1024 && port <= 65535, "allocated port in 1024-65535: " + port);
        return port;
    }

    /** The first fragment of UDP datagram {@code identification} (more fragments follow). */
    private static byte[] firstFragment(String source, String destination, int identification, int sourcePort,
                                        int destinationPort) {
        return ip(source, destination).identification(identification).fragment(true, 0)
            .udp(sourcePort, destinationPort).payload(24).build();
    }

    /** The last fragment, at offset 32, of UDP datagram {@code identification}. */
    private static byte[] laterFragment(String source, String destination, int identification) {
        return ip(source, destination).identification(identification).fragment(false, 32).rawProtocol(17)
            .payload(16).build();
    }

    /** The first {@code length} bytes of a frame's IP packet (what an ICMP error quotes). */
    static byte[] quote(byte[] frame, int length) {
        return Arrays.copyOfRange(frame, 14, 14 + length);
    }

    static byte[] icmpError(String source, String destination, int type, int code, int mtu, byte[] quoted) {
        return icmpError(source, destination, type, code, mtu, quoted, 64, 0x1234);
    }

    static byte[] icmpError(String source, String destination, int type, int code, int mtu, byte[] quoted, int ttl,
                            int identification) {
        return PacketBuilder.ethernet(io.softgate.nat.testing.Packets.VM_MAC, io.softgate.nat.testing.Packets.ROUTER_MAC)
            .ipv4(source, destination).identification(identification).ttl(ttl).icmp(type, code, mtu).payload(quoted)
            .build();
    }

    private static String hex(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            text.append(String.format("%02x", b));
        }
        return text.toString();
    }
}
