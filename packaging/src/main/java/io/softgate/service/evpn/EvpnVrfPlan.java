package io.softgate.service.evpn;

import io.softgate.evpn.bgp.config.VrfSettings;
import io.softgate.evpn.forwarding.model.VrfIntent;
import io.softgate.service.config.SoftgateConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The EVPN VRFs the speaker should hold: the configuration file's VRFs first, as
 * {@link BgpSettingsFactory#settings} makes them (a file VRF always wins), then one per API VPC
 * among the forwarding intent's VRFs ({@link BgpSettingsFactory#apiVrf}: RD number from the
 * L3VNI, RT {@code ASN:L3VNI}, unless {@code bgp.vrfs} names the VPC). An API VPC whose L3VNI or
 * route distinguisher number a VRF before it holds is left out and listed in {@code refused}
 * (the speaker would refuse the whole set: two VRFs with one RD would mix their routes).
 *
 * @param vrfs the speaker's VRFs, file VRFs first, then API VPCs in intent order
 * @param apiVrfs the names of the API VPCs among {@code vrfs}
 * @param refused the API VPCs left out, each with the reason
 *
 * <p>Threading: immutable value; {@link #of} is stateless.
 */
public record EvpnVrfPlan(List<VrfSettings> vrfs, Set<String> apiVrfs, List<String> refused) {
    public EvpnVrfPlan {
        vrfs = List.copyOf(vrfs);
        apiVrfs = Set.copyOf(apiVrfs);
        refused = List.copyOf(refused);
    }

    /** The plan for the file {@code file} and the forwarding intent's VRFs {@code forwardingVrfs} (file and API). */
    public static EvpnVrfPlan of(SoftgateConfig file, List<VrfIntent> forwardingVrfs) {
        List<VrfSettings> fileVrfs = BgpSettingsFactory.settings(file).vrfs();
        List<VrfSettings> vrfs = new ArrayList<>(fileVrfs);
        Set<String> names = new HashSet<>();
        Set<Integer> vnis = new HashSet<>();
        Set<Integer> distinguishers = new HashSet<>();
        for (VrfSettings vrf : fileVrfs) {
            names.add(vrf.name());
            vnis.add(vrf.l3Vni());
            distinguishers.add(vrf.routeDistinguisherNumber());
        }
        Set<String> apiVrfs = new LinkedHashSet<>();
        List<String> refused = new ArrayList<>();
        for (VrfIntent vrf : forwardingVrfs) {
            if (names.contains(vrf.name())) {
                continue; // a file VRF (the API may not take its name)
            }
            VrfSettings api = BgpSettingsFactory.apiVrf(file.bgp(), vrf.name(), vrf.l3Vni());
            if (!vnis.add(api.l3Vni())) {
                refused.add(api.name() + ": L3VNI " + api.l3Vni() + " is another VRF's");
                continue;
            }
            if (!distinguishers.add(api.routeDistinguisherNumber())) {
                vnis.remove(api.l3Vni());
                refused.add(api.name() + ": route distinguisher " + file.bgp().routerId() + ":"
                    + api.routeDistinguisherNumber() + " is another VRF's (set bgp.vrfs[name=" + api.name()
                    + "].routeDistinguisherNumber)");
                continue;
            }
            names.add(api.name());
            vrfs.add(api);
            apiVrfs.add(api.name());
        }
        return new EvpnVrfPlan(vrfs, apiVrfs, refused);
    }
}
