/**
 * The softgate's BGP EVPN speaker.
 *
 * <h2>Using it</h2>
 * <pre>{@code
 * BgpNodeSettings settings = BgpNodeSettings.builder()
 *         .routerId(InetAddresses.parse("10.0.0.1")).asNumber(65000)
 *         .vtepAddress(InetAddresses.parse("192.0.2.1")).routerMac(InetAddresses.parseMac("02:5e:00:00:00:01"))
 *         .listen(InetAddresses.parse("10.1.0.2"), 179)                       // the leaf-facing link address
 *         .neighbor(NeighborSettings.evpn(InetAddresses.parse("10.1.0.1"), 65000)
 *                 .withLocalAddress(InetAddresses.parse("10.1.0.2")))
 *         .vrf(VrfSettings.of("public", 5001, 1))                            // L3VNI 5001, RD router-id:1
 *         .build();
 * BgpSpeaker speaker = new BgpSpeaker(settings);
 * speaker.addListener(listener);               // EvpnRouteListener: learned type-2 and type-5 routes
 * speaker.start();
 * speaker.advertiseType5(5001, vip, 32);       // RT ASN:5001, ET:8, Router's MAC, next hop = VTEP
 * speaker.withdrawType5(5001, vip, 32);
 * speaker.close();
 * }</pre>
 *
 * <h2>VRFs at run time</h2>
 * The VRFs of the settings are the start; {@code BgpSpeaker.addVrf}, {@code removeVrf} and
 * {@code updateVrfs} (the whole set; unchanged VRFs are left alone) change them while the
 * speaker runs, on its event loop: the immutable settings are swapped, then a VRF that joined
 * has the learned routes carrying one of its import targets reported to the listeners at once
 * (the Adj-RIB-In is not asked again: the routes are already in the Loc-RIB), and a VRF that
 * left has every route we originated under its route distinguisher withdrawn from every peer
 * and its imported routes reported as withdrawn. A set with two VRFs of one name, L3VNI or
 * route distinguisher number is refused with {@link java.lang.IllegalArgumentException} (the
 * returned future fails, nothing changes), and so is removing an L3VNI that no VRF has.
 * Listeners see every learned type-2 and type-5 route and pick its VRF by route target from
 * {@code speaker.settings()} read on the event loop, so they always agree with the RIB. A VRF
 * that no configuration numbers (a VPC the controller creates) takes its route distinguisher
 * number from its L3VNI ({@code VrfSettings.derivedRouteDistinguisherNumber}: the low 16 bits,
 * stable across restarts; RFC 4364 §4.2 leaves a type-1 RD only two octets for it).
 *
 * <h2>Packages</h2>
 * {@code message} (framing, OPEN/UPDATE/NOTIFICATION/KEEPALIVE/ROUTE-REFRESH, RFC 7606 error
 * handling), {@code capability}, {@code attribute} (path attributes by type code),
 * {@code community} (extended communities by type and sub-type), {@code evpn} (EVPN NLRI by
 * route type), {@code nlri}, {@code rib} (Adj-RIB-In, Loc-RIB, Adj-RIB-Out, update packing),
 * {@code session} (Netty sessions and the FSM), {@code config} (node settings).
 *
 * <p>Threading: see each type; the speaker runs everything on one event loop thread.
 */
package io.softgate.evpn.bgp;
