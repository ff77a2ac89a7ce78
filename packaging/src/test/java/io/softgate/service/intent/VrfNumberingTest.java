package io.softgate.service.intent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.softgate.service.config.ConfigException;
import io.softgate.service.config.ConfigLoader;
import io.softgate.service.config.SoftgateConfig;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The one definition of "a VPC's rules are in the data plane": its name is a VRF of
 * {@link VrfNumbering#of} (the adapters' numbering), whether it got there by a vNet or by a file
 * VRF of the same name; the document-level {@link VrfNumbering#activeVpcs} the API answers with
 * agrees with the resolved intent's {@link VrfNumbering#activeVrfs}.
 */
class VrfNumberingTest {
    private static SoftgateConfig config() throws ConfigException {
        return ConfigLoader.parse("test.json", """
            {"node": {"name": "sg1", "routerMac": "02:5f:00:00:00:01", "vtepAddress": "10.255.0.1", "publicVrf": "public"},
             "forwarding": {"vrfs": [{"name": "public", "l3vni": 9000}, {"name": "blue", "l3vni": 9100}]}}"""
            .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldCountAVpcWithoutVnetNamedAsAFileVrfActiveAndAPlainOneNot() throws ConfigException {
        SoftgateConfig config = config();
        // 2: blue (no vNet, a file VRF's name), 3: plain (no vNet), 4: tiered (a vNet).
        List<VpcIntent> vpcs = List.of(new VpcIntent(1, IntentDocument.SYSTEM_VPC_NAME, 1, true),
            new VpcIntent(2, "blue", 1, false), new VpcIntent(3, "plain", 1, false), new VpcIntent(4, "tiered", 1, false));
        List<VnetIntent> vnets = List.of(new VnetIntent(5, "tier", 4, 5001, List.of("10.1.1.1/24")));
        IntentDocument document = new IntentDocument(1, 6, "site", "admin", vpcs, List.of(), List.of(), vnets, List.of(),
            List.of(), List.of(), List.of());
        CompiledIntent intent = IntentCompiler.resolve(document);

        Map<String, Integer> numbering = VrfNumbering.of(config, intent);
        assertEquals(Map.of("public", 0, "blue", 1, "tiered", 2), numbering);
        assertEquals(numbering.keySet(), VrfNumbering.activeVrfs(config, intent));

        Set<Integer> active = VrfNumbering.activeVpcs(config, vpcs, vnets);
        assertEquals(Set.of(2, 4), active);
        Set<Integer> byName = new HashSet<>();
        for (VpcIntent vpc : vpcs) {
            if (VrfNumbering.activeVrfs(config, intent).contains(vpc.name())) {
                byName.add(vpc.id());
            }
        }
        assertEquals(byName, active, "the API's document-level answer is the adapters' numbering");
        assertEquals(VrfNumbering.NO_VNET, VrfNumbering.inactiveReason(active.contains(3), true));
        assertEquals(null, VrfNumbering.inactiveReason(active.contains(2), true));
        assertEquals(VrfNumbering.DISABLED, VrfNumbering.inactiveReason(active.contains(2), false));
    }
}
