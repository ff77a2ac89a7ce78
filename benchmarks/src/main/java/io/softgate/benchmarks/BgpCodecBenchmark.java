package io.softgate.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.softgate.evpn.bgp.attribute.ExtendedCommunitiesAttribute;
import io.softgate.evpn.bgp.attribute.OriginAttribute;
import io.softgate.evpn.bgp.attribute.PathAttribute;
import io.softgate.evpn.bgp.community.EncapsulationExtendedCommunity;
import io.softgate.evpn.bgp.community.RouteTarget;
import io.softgate.evpn.bgp.community.RoutersMacExtendedCommunity;
import io.softgate.evpn.bgp.evpn.EthernetSegmentIdentifier;
import io.softgate.evpn.bgp.evpn.IpPrefixRoute;
import io.softgate.evpn.bgp.evpn.RouteDistinguisher;
import io.softgate.evpn.bgp.message.BgpMessageDecoder;
import io.softgate.evpn.bgp.message.CodecContext;
import io.softgate.evpn.bgp.message.MessageDecodeResult;
import io.softgate.evpn.bgp.nlri.AddressFamily;
import io.softgate.evpn.bgp.nlri.InetAddresses;
import io.softgate.evpn.bgp.nlri.Nlri;
import io.softgate.evpn.bgp.rib.UpdatePacker;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * UPDATE decode and encode of packed type-5 NLRIs: scores are routes per second (each
 * invocation handles {@link #ROUTES} routes, packed into UPDATEs of the given maximum size).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar BgpCodecBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s}.
 *
 * <p>Threading: JMH state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BgpCodecBenchmark {
    static final int ROUTES = 10_000;

    /** 4096 (RFC 4271) or 65535 (RFC 8654 extended messages). */
    @Param({"4096", "65535"})
    public int maxMessageLength;

    private final UpdatePacker packer = new UpdatePacker();
    private final BgpMessageDecoder decoder = new BgpMessageDecoder();
    private CodecContext context;
    private List<Nlri> routes;
    private byte[] encodedAttributes;
    private InetAddress nextHop;
    private List<ByteBuf> packedUpdates;

    @Setup
    public void setUp() {
        context = CodecContext.standard().withMaxMessageLength(maxMessageLength);
        RouteDistinguisher routeDistinguisher = RouteDistinguisher.ofIpv4Address(0x0A000001, 5);
        InetAddress zero = IpPrefixRoute.zeroGateway(true);
        routes = new ArrayList<>(ROUTES);
        for (int i = 0; i < ROUTES; i++) {
            routes.add(new IpPrefixRoute(routeDistinguisher, EthernetSegmentIdentifier.ZERO, 0,
                    InetAddresses.ipv4(0xC6000000 + i), 32, zero, 5001));
        }
        List<PathAttribute> attributes = List.of(OriginAttribute.ORIGIN_IGP, new ExtendedCommunitiesAttribute(List.of(
                RouteTarget.ofTwoOctetAs(65000, 5001), EncapsulationExtendedCommunity.VXLAN,
                new RoutersMacExtendedCommunity(0x02_5e_00_00_00_01L))));
        encodedAttributes = packer.encodeAttributes(attributes, context);
        nextHop = InetAddresses.parse("192.0.2.1");
        packedUpdates = new ArrayList<>();
        packer.packAnnouncements(AddressFamily.L2VPN_EVPN, encodedAttributes, nextHop, routes, context,
                UnpooledByteBufAllocator.DEFAULT, packedUpdates);
    }

    @TearDown
    public void tearDown() {
        for (ByteBuf update : packedUpdates) {
            update.release();
        }
    }

    @Benchmark
    @OperationsPerInvocation(ROUTES)
    public void decodePackedType5Updates(Blackhole blackhole) {
        for (int i = 0; i < packedUpdates.size(); i++) {
            ByteBuf update = packedUpdates.get(i);
            MessageDecodeResult result = decoder.decode(update.duplicate(), context);
            blackhole.consume(result);
        }
    }

    @Benchmark
    @OperationsPerInvocation(ROUTES)
    public void encodePackedType5Updates(Blackhole blackhole) {
        List<ByteBuf> messages = new ArrayList<>();
        packer.packAnnouncements(AddressFamily.L2VPN_EVPN, encodedAttributes, nextHop, routes, context,
                UnpooledByteBufAllocator.DEFAULT, messages);
        for (int i = 0; i < messages.size(); i++) {
            blackhole.consume(messages.get(i).readableBytes());
            messages.get(i).release();
        }
    }
}
