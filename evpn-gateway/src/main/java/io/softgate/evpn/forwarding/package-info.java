/**
 * The forwarding half of the EVPN gateway (symmetric IRB, RFC 9135/9136): VXLAN in, a route
 * lookup in the tenant's VRF, VXLAN out toward the next hop's VTEP.
 *
 * <h2>How it fits together</h2>
 * <ul>
 *   <li>{@code model}: the intent, immutable records independent of where it came from
 *       (configuration, REST, BGP): {@code NodeIntent}, {@code VrfIntent}, {@code RouteIntent}
 *       (with a {@code RouteSource} tag), {@code NextHop}, {@code RemoteVtepIntent}, all in a
 *       {@code ForwardingIntent}.</li>
 *   <li>{@code compiler}: {@code ForwardingCompiler} validates the intent (errors name the field,
 *       e.g. {@code routes[3].prefix}) and builds {@code ForwardingTables}, published whole in
 *       {@code ForwardingTables.SLOT} of a {@code ConfigSnapshot}.</li>
 *   <li>{@code table}: VNI -> VRF ({@code VniMap}), per-VRF {@code Ipv4RouteTable} (multibit trie,
 *       at most 4 reads) and {@code Ipv6RouteTable} (binary search on prefix lengths, at most 8
 *       hash probes), ECMP {@code NextHopGroups}, and {@code AdjacencyTable} with a precompiled
 *       64-byte encapsulation header per next hop.</li>
 *   <li>{@code stage}: {@code vxlan-decap -> [features] -> vrf-route -> vxlan-encap -> transmit},
 *       built by {@code ForwardingPipeline} in this package; features (ACL, LB, NAT,
 *       each a {@code ForwardingFeature}) go on its {@code FEATURE_EDGE}.</li>
 * </ul>
 *
 * <h2>Decisions</h2>
 * <ul>
 *   <li>MTU: the node sets the underlay MTU (default 1500 bytes, the largest outer IPv4 packet);
 *       the inner IP MTU is 50 bytes less (1450 by default), the same figure a Linux VXLAN device
 *       on a 1500-byte underlay uses. It must leave at least 1280 for IPv6.</li>
 *   <li>VXLAN flags (RFC 7348 §5): a clear I flag drops; reserved bits are ignored, as the RFC
 *       says receivers must.</li>
 *   <li>IPv4 without DF that does not fit is dropped and counted: in-path fragmentation is not
 *       implemented (the outer packet is never fragmented, RFC 7348 §4.3).</li>
 *   <li>ICMP errors are written in place in front of the offending packet, from the VRF's
 *       gateway address (no gateway address: no error), at most 576 bytes (v4) or 1280 (v6),
 *       rate-limited per worker by a token bucket, and routed back in the same VRF.</li>
 *   <li>After decap, a packet's {@code offset}/{@code length} are those of the inner IP packet;
 *       encap prepends 64 bytes in the space the received headers occupied.</li>
 * </ul>
 *
 * <p>Threading: intent and tables are immutable; stages are per worker.
 */
package io.softgate.evpn.forwarding;
