package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.softgate.evpn.forwarding.table.ForwardingTables;
import io.softgate.acl.classify.AclTables;
import io.softgate.lb.compile.LoadBalancerTables;
import io.softgate.nat.compile.NatTables;
import io.softgate.service.intent.CompiledIntent;
import io.softgate.service.intent.IntentDocument;
import io.softgate.service.intent.IpPrefix;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays, against the real server on 127.0.0.1, the calls CloudStack's Netris plugin makes for a
 * zone's life: log in, find site and tenant, set up the zone public range in the system VPC,
 * create a VPC and its allocation, a vNet with a VXLAN id, source NAT, port forwarding, static
 * NAT, an LB rule with source-CIDR ACLs (and its re-apply), network ACLs, a static route, and
 * every delete; each step is the plugin's list-and-find-by-name followed by its create, and the
 * published snapshot is checked after the build-up and after the tear-down.
 */
class CloudStackNetrisReplayTest {
    static final String SUPER_CIDR = "203.0.113.0/24";
    static final String PUBLIC_RANGE = "203.0.113.0/26";
    static final String VPC_NAME = "D1-A2-Z1-V3-vpc1";
    static final String VPC_CIDR = "10.1.0.0/16";
    static final String TIER_CIDR = "10.1.1.0/24";
    static final int VXLAN_ID = 5001;

    @TempDir
    Path stateDir;
    ApiFixture api;
    int site;
    int tenant;

    @BeforeEach
    void start() throws Exception {
        api = new ApiFixture(stateDir);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void shouldServeTheNetrisPluginCallSequenceAndCompileEveryChange() throws Exception {
        connect();
        int systemVpc = setupZonePublicRange();
        int vpc = createVpc();
        int vnet = createVnet(vpc);
        assertVniKnownToTheDataPlane(VXLAN_ID, true);
        assertVniKnownToTheDataPlane(VXLAN_ID + 1, false);
        int snat = createNatRule(vpc, "D1-A2-Z1-V3-vpc1-SNAT", "SNAT", "ALL", "203.0.113.10",
            "\"destinationAddress\":\"0.0.0.0/0\",\"sourceAddress\":\"" + VPC_CIDR + "\",\"sourcePort\":\"1-65535\",\"snatToIP\":\"203.0.113.10/32\"");
        int portForward = createNatRule(vpc, "D1-A2-Z1-V3-vpc1-PF7", "DNAT", "TCP", "203.0.113.11",
            "\"destinationAddress\":\"203.0.113.11/32\",\"destinationPort\":\"8080\",\"sourceAddress\":\"0.0.0.0/0\","
                + "\"sourcePort\":\"1-65535\",\"dnatToIP\":\"10.1.1.10/32\",\"dnatToPort\":80");
        int staticNat = createNatRule(vpc, "D1-A2-Z1-V3-vpc1-STATICNAT9", "DNAT", "ALL", "203.0.113.12",
            "\"destinationAddress\":\"203.0.113.12/32\",\"sourceAddress\":\"0.0.0.0/0\",\"dnatToIP\":\"10.1.1.11/32\"");
        int lb = createOrUpdateLbRule(vpc, systemVpc);
        assertEquals(lb, createOrUpdateLbRule(vpc, systemVpc), "re-applying the LB rule updates the same service");
        List<Integer> networkAcls = List.of(
            addAcl(vpc, "D1-A2-Z1-V3-ACL11-ssh", "permit", "tcp", "0.0.0.0/0", TIER_CIDR, 22, 22),
            addAcl(vpc, "D1-A2-Z1-V3-ACL12-deny", "deny", "all", "0.0.0.0/0", TIER_CIDR, null, null));
        int route = addStaticRoute(vpc);

        CompiledIntent built = lastCompiled();
        CompiledIntent.Vrf vrf = built.vrf(VPC_NAME);
        assertEquals(List.of(VXLAN_ID), vrf.vnis());
        assertEquals(List.of(IpPrefix.parse("10.1.1.1/24")), vrf.gateways());
        assertEquals(List.of(new CompiledIntent.Route(IpPrefix.parse("172.16.0.0/16"), IpPrefix.parse("10.1.1.254"))), vrf.routes());
        assertEquals(3, built.natRules().size());
        CompiledIntent.NatRule forward = built.natRules().get(1);
        assertEquals(CompiledIntent.NatAction.DNAT, forward.action());
        assertEquals(6, forward.protocol());
        assertEquals(8080, forward.destinationPortFrom());
        assertEquals(80, forward.translatePort());
        assertEquals(IpPrefix.parse("10.1.1.10/32"), forward.translateTo());
        NatTables nat = api.runtime.publisher().current().get(NatTables.SLOT);
        ForwardingTables forwarding = api.runtime.publisher().current().get(ForwardingTables.SLOT);
        assertEquals(2, nat.inbound().length, "port forwarding and static NAT are inbound rules of the NAT tables");
        assertTrue(nat.isVpc(forwarding.vrfIndex(VPC_NAME)));
        assertTrue(nat.outbound(forwarding.vrfIndex(VPC_NAME)).length >= 1, "source NAT is an outbound rule of the VPC's VRF");
        assertEquals(forwarding.vrfIndex("public"), nat.publicVrf());
        LoadBalancerTables lbTables = api.runtime.publisher().current().get(LoadBalancerTables.SLOT);
        assertTrue(lbTables.isVipAddress(IpPrefix.parse("203.0.113.13").ipv4Value()));
        assertTrue(lbTables.findService(IpPrefix.parse("203.0.113.13").ipv4Value(), 6, 80) != LoadBalancerTables.NO_SERVICE,
            "the VIP's TCP port 80 is a Maglev service");
        AclTables aclTables = api.runtime.publisher().current().get(AclTables.SLOT);
        assertEquals(4, aclTables.ruleCount(), "2 LB source-CIDR rules on the public VRF, 2 network ACLs on the VPC's VRF");
        assertNotNull(aclTables.classifier(forwarding.vrfIndex(VPC_NAME)));
        assertNotNull(aclTables.classifier(forwarding.vrfIndex("public")));
        CompiledIntent.LbService service = built.lbServices().get(0);
        assertEquals(IpPrefix.parse("203.0.113.13/32"), service.vip());
        assertEquals(2, service.backends().size());
        assertEquals(List.of(IpPrefix.parse("203.0.113.10/32"), IpPrefix.parse("203.0.113.11/32"),
            IpPrefix.parse("203.0.113.12/32"), IpPrefix.parse("203.0.113.13/32")), built.publicAddresses());
        List<CompiledIntent.AclRule> lbAcls = built.aclRules().stream().filter(r -> r.vrf().equals(IntentDocument.SYSTEM_VPC_NAME)).toList();
        assertTrue(lbAcls.get(0).permit() && lbAcls.get(0).source().equals(IpPrefix.parse("198.51.100.0/24")),
            "the more specific permit is evaluated before the LB's deny-all: " + lbAcls);
        assertFalse(lbAcls.get(1).permit());
        assertEquals(api.runtime.publisher().current().epoch(), api.published.get(api.published.size() - 1).epoch(),
            "the runtime's current snapshot is the one the API published last");
        assertStaticRouteForwardsOnceItsNextHopIsLearned();

        deleteStaticRoute(vpc, route);
        api.ok("DELETE", "/api/acl", "{\"id\":" + networkAcls + ",\"tenantsID\":\"" + tenant + "\"}");
        deleteLbRule(vpc, systemVpc, lb);
        deleteNatRule(staticNat, "203.0.113.12");
        deleteNatRule(portForward, "203.0.113.11");
        deleteNatRule(snat, "203.0.113.10");
        deleteVnet(vpc, vnet);
        assertVniKnownToTheDataPlane(VXLAN_ID, false);
        deleteVpc(vpc);

        CompiledIntent after = lastCompiled();
        assertEquals(List.of(IntentDocument.SYSTEM_VPC_NAME), after.vrfs().stream().map(CompiledIntent.Vrf::name).toList());
        assertTrue(after.natRules().isEmpty() && after.lbServices().isEmpty() && after.aclRules().isEmpty());
        assertTrue(after.publicAddresses().isEmpty());
        assertEquals(List.of(IpPrefix.parse(SUPER_CIDR)), after.vrfs().get(0).allocations(), "the zone's public range stays");
    }

    @Test
    void shouldReloadTheAppliedIntentAfterARestart() throws Exception {
        connect();
        setupZonePublicRange();
        createVpc();
        long generation = api.api.store().current().generation();
        api.close();
        api = new ApiFixture(stateDir);
        assertEquals(generation, api.api.store().current().generation());
        assertNotNull(lastCompiled().vrf(VPC_NAME), "the reloaded intent is compiled and published at start");
    }

    /**
     * Pushes a VXLAN packet with {@code vni} toward an address the VPC has no route for: a VNI the
     * forwarding tables know is decapsulated into the VPC's VRF and dropped by the route lookup
     * ({@code vrf-route.drop.no-route}); an unknown one is dropped by decapsulation.
     */
    private void assertVniKnownToTheDataPlane(int vni, boolean known) {
        ForwardingTables tables = api.runtime.publisher().current().get(ForwardingTables.SLOT);
        assertEquals(known, tables.vrfOfVni(vni) >= 0);
        if (known) {
            assertEquals(VPC_NAME, tables.vrfName(tables.vrfOfVni(vni)));
        }
        byte[] frame = VxlanFrames.udp(vni, VxlanFrames.address(10, 255, 0, 11), VxlanFrames.address(10, 255, 0, 1),
            VxlanFrames.address(10, 1, 1, 10), VxlanFrames.address(192, 0, 2, 99));
        long[] delta = api.push(frame, "vrf-route.drop.no-route", "vxlan-decap.drop.unknown-vni");
        assertEquals(known ? 1 : 0, delta[0], "decapsulated into the VPC's VRF, no route there yet");
        assertEquals(known ? 0 : 1, delta[1], "unknown VNI dropped at decapsulation");
    }

    /**
     * The plugin's static route (172.16.0.0/16 via 10.1.1.254, a VM of the tier) with packets: no
     * route while the next hop is unknown; once BGP EVPN learns 10.1.1.254 behind a hypervisor VTEP,
     * a packet from the tier to 172.16.5.5 leaves encapsulated toward that VTEP in the VPC's L3VNI.
     * The source is outside the VPC's SNAT range, so the packet shows routing alone.
     */
    private void assertStaticRouteForwardsOnceItsNextHopIsLearned() throws Exception {
        byte[] frame = VxlanFrames.udp(VXLAN_ID, VxlanFrames.address(10, 255, 0, 11), VxlanFrames.address(10, 255, 0, 1),
            VxlanFrames.address(192, 168, 7, 7), VxlanFrames.address(172, 16, 5, 5));
        assertEquals(1, api.push(frame, "vrf-route.drop.no-route")[0], "next hop not learned yet");
        api.composer.learnedRoutesChanged(List.of(new io.softgate.evpn.forwarding.model.RouteIntent(VPC_NAME,
            io.softgate.evpn.forwarding.model.IpPrefix.parse("10.1.1.254/32"),
            new io.softgate.evpn.forwarding.model.NextHop.RemoteVtep(io.softgate.evpn.forwarding.model.Ipv4Address.parse("10.255.0.31"),
                io.softgate.evpn.forwarding.model.MacAddress.parse("02:5f:00:00:0b:31")),
            io.softgate.evpn.forwarding.model.RouteSource.BGP)));
        api.push(frame);
        byte[] sent = api.ports.get(0).pollTransmitted();
        assertNotNull(sent, "routed by the static route");
        assertEquals(List.of(10, 255, 0, 31), List.of(sent[30] & 0xFF, sent[31] & 0xFF, sent[32] & 0xFF, sent[33] & 0xFF),
            "outer destination: the VTEP behind the next hop");
        assertEquals(VXLAN_ID, ((sent[46] & 0xFF) << 16) | ((sent[47] & 0xFF) << 8) | (sent[48] & 0xFF), "the VPC's L3VNI");
    }

    private CompiledIntent lastCompiled() {
        return api.runtime.publisher().current().get(CompiledIntent.SLOT);
    }

    private void connect() throws Exception {
        HttpResponse<String> login = api.login(ApiFixture.USER, ApiFixture.PASSWORD);
        assertEquals(200, login.statusCode(), login.body());
        assertEquals(200, api.send("GET", "/api/auth", null).statusCode());
        site = ApiFixture.find(api.ok("GET", "/api/sites", null), "name", "softgate-site").get("id").asInt();
        tenant = ApiFixture.find(api.ok("GET", "/api/tenants", null), "name", "Admin").get("id").asInt();
    }

    private JsonNode systemVpc() throws Exception {
        JsonNode system = null;
        for (JsonNode vpc : api.ok("GET", "/api/v2/vpc", null)) {
            if (vpc.get("isSystem").asBoolean()) {
                assertNull(system, "exactly one system VPC");
                system = vpc;
            }
        }
        assertNotNull(system);
        assertEquals(tenant, system.get("adminTenant").get("id").asInt());
        return system;
    }

    private JsonNode vpcByName(String name) throws Exception {
        for (JsonNode vpc : api.ok("GET", "/api/v2/vpc", null)) {
            if (vpc.get("name").asText().equals(name) && vpc.get("adminTenant").get("id").asInt() == tenant) {
                return vpc;
            }
        }
        return null;
    }

    private String vpcRef(JsonNode vpc) {
        return "{\"id\":" + vpc.get("id").asInt() + ",\"name\":\"" + vpc.get("name").asText() + "\"}";
    }

    private String tenantRef() {
        return "{\"id\":" + tenant + ",\"name\":\"Admin\"}";
    }

    private String siteRef() {
        return "{\"id\":" + site + ",\"name\":\"softgate-site\"}";
    }

    private int setupZonePublicRange() throws Exception {
        JsonNode system = systemVpc();
        int systemId = system.get("id").asInt();
        JsonNode tree = api.ok("GET", "/api/v2/ipam?sites=" + site + "&vpc=" + systemId, null);
        assertNull(ApiFixture.find(tree, "prefix", SUPER_CIDR));
        int allocation = api.ok("POST", "/api/v2/ipam/allocation", "{\"name\":\"Z1-PUBLIC-" + SUPER_CIDR + "\",\"prefix\":\"" + SUPER_CIDR
            + "\",\"vpc\":" + vpcRef(system) + ",\"tenant\":" + tenantRef() + "}").get("id").asInt();
        JsonNode subnets = api.ok("GET", "/api/v2/ipam/subnets?vpc=" + systemId, null);
        assertNull(ApiFixture.find(subnets, "prefix", PUBLIC_RANGE));
        JsonNode subnet = api.ok("POST", "/api/v2/ipam/subnet", subnetBody("Z1-PUBLIC-RANGE", PUBLIC_RANGE, "common", system));
        assertEquals(allocation, subnet.get("allocationID").asInt());
        return systemId;
    }

    private String subnetBody(String name, String prefix, String purpose, JsonNode vpc) {
        return "{\"name\":\"" + name + "\",\"prefix\":\"" + prefix + "\",\"purpose\":\"" + purpose + "\",\"vpc\":" + vpcRef(vpc)
            + ",\"tenant\":" + tenantRef() + ",\"sites\":[" + siteRef() + "]}";
    }

    private int createVpc() throws Exception {
        JsonNode created = api.ok("POST", "/api/v2/vpc", "{\"name\":\"" + VPC_NAME + "\",\"adminTenant\":" + tenantRef() + "}");
        assertEquals(VPC_NAME, created.get("name").asText());
        api.ok("POST", "/api/v2/ipam/allocation", "{\"name\":\"" + VPC_NAME + "-" + VPC_CIDR + "\",\"prefix\":\"" + VPC_CIDR
            + "\",\"vpc\":" + vpcRef(created) + ",\"tenant\":" + tenantRef() + "}");
        return created.get("id").asInt();
    }

    private int createVnet(int vpcId) throws Exception {
        JsonNode vpc = vpcByName(VPC_NAME);
        assertEquals(vpcId, vpc.get("id").asInt());
        api.ok("POST", "/api/v2/ipam/subnet", subnetBody("D1-A2-Z1-3-" + TIER_CIDR, TIER_CIDR, "common", vpc));
        String body = "{\"customAnycastMac\":\"\",\"gateways\":[{\"prefix\":\"10.1.1.1/24\",\"dhcpEnabled\":false,"
            + "\"dhcp\":{\"end\":\"\",\"start\":\"\",\"optionSet\":{}}}],\"guestTenants\":[],\"l3vpn\":false,"
            + "\"name\":\"D1-A2-Z1-V3-N4-tier1\",\"nativeVlan\":0,\"vxlanID\":" + VXLAN_ID + ",\"ports\":[],\"sites\":[" + siteRef()
            + "],\"state\":\"active\",\"tags\":[\"tier1\"],\"tenant\":" + tenantRef() + ",\"vlan\":0,\"vlanAware\":false,\"vlans\":\"\","
            + "\"vpc\":" + vpcRef(vpc) + "}";
        int id = api.ok("POST", "/api/v2/vnet", body).get("id").asInt();
        JsonNode listed = ApiFixture.find(api.ok("GET", "/api/v2/vnet?vpc=" + vpcId, null), "name", "D1-A2-Z1-V3-N4-tier1");
        assertEquals(VXLAN_ID, listed.get("vxlanID").asInt());
        assertEquals("10.1.1.1/24", listed.get("gateways").get(0).get("prefix").asText());
        return id;
    }

    /** The plugin's NAT subnet step (list by the tenant VPC, create the /32 in the system VPC), then list-and-create the rule. */
    private int createNatRule(int vpcId, String name, String action, String protocol, String publicIp, String fields) throws Exception {
        JsonNode system = systemVpc();
        String subnetName = "D1-A2-Z1-3-" + publicIp + "/32";
        JsonNode subnets = api.ok("GET", "/api/v2/ipam/subnets?vpc=" + vpcId, null);
        assertNull(ApiFixture.find(subnets, "name", subnetName), "the plugin looks in the tenant VPC, where the /32 never is");
        api.ok("POST", "/api/v2/ipam/subnet", subnetBody(subnetName, publicIp + "/32", "nat", system));
        assertNull(ApiFixture.find(api.ok("GET", "/api/v2/nat", null), "name", name));
        JsonNode vpc = vpcByName(VPC_NAME);
        String body = "{\"action\":\"" + action + "\",\"name\":\"" + name + "\",\"protocol\":\"" + protocol + "\",\"state\":\"enabled\","
            + "\"comment\":\"NAT rule\"," + fields + ",\"site\":" + siteRef() + ",\"vpc\":" + vpcRef(vpc) + "}";
        int id = api.ok("POST", "/api/v2/nat", body).get("id").asInt();
        // The plugin repeats the subnet create whenever the rule is re-applied: harmless.
        long generation = api.api.store().current().generation();
        api.ok("POST", "/api/v2/ipam/subnet", subnetBody(subnetName, publicIp + "/32", "nat", system));
        assertEquals(generation, api.api.store().current().generation(), "a repeated subnet create changes nothing");
        return id;
    }

    private int createOrUpdateLbRule(int vpcId, int systemVpcId) throws Exception {
        JsonNode system = systemVpc();
        String subnetName = "D1-A2-Z1-3-203.0.113.13/32";
        if (ApiFixture.find(api.ok("GET", "/api/v2/ipam/subnets?vpc=" + vpcId, null), "name", subnetName) == null) {
            api.ok("POST", "/api/v2/ipam/subnet", subnetBody(subnetName, "203.0.113.13/32", "load-balancer", system));
        }
        String lbName = "D1-A2-Z1-V3-LB21";
        JsonNode existing = ApiFixture.find(api.ok("GET", "/api/v2/l4lb?sites=" + site + "&vpc=" + vpcId, null), "name", lbName);
        String body = "{\"name\":\"" + lbName + "\",\"protocol\":\"TCP\",\"site\":" + siteRef() + ",\"siteID\":" + site
            + ",\"tenant\":" + tenantRef() + ",\"vpc\":{\"id\":" + vpcId + "},\"automatic\":false,\"ipFamily\":\"IPv4\","
            + "\"ip\":\"203.0.113.13\",\"status\":\"enable\",\"backend\":[{\"ip\":\"10.1.1.10\",\"port\":80},{\"ip\":\"10.1.1.11\",\"port\":80}],"
            + "\"port\":80,\"healthCheck\":\"None\"}";
        int id;
        if (existing == null) {
            id = api.ok("POST", "/api/v2/l4lb", body).get("id").asInt();
        } else {
            id = existing.get("id").asInt();
            api.ok("PUT", "/api/v2/l4lb/" + id, body);
        }
        // Source-CIDR ACLs of the rule live in the system VPC: deny all, then permit each CIDR.
        addOrUpdateAcl(systemVpcId, "D1-A2-Z1-V3-LBACL0-web", "deny", "tcp", "0.0.0.0/0", "203.0.113.13/32", 80, 80);
        addOrUpdateAcl(systemVpcId, "D1-A2-Z1-V3-LBACL1-web", "permit", "tcp", "198.51.100.0/24", "203.0.113.13/32", 80, 80);
        return id;
    }

    private int addAcl(int vpcId, String name, String action, String proto, String src, String dst, Integer dstFrom, Integer dstTo)
        throws Exception {
        return addOrUpdateAcl(vpcId, name, action, proto, src, dst, dstFrom, dstTo);
    }

    private int addOrUpdateAcl(int vpcId, String name, String action, String proto, String src, String dst, Integer dstFrom,
                               Integer dstTo) throws Exception {
        JsonNode existing = ApiFixture.find(api.ok("GET", "/api/acl?sites=" + site + "&vpc=" + vpcId, null), "name", name);
        String stateful = "tcp".equals(proto) ? "\"established\":1" : "\"reverse\":\"yes\"";
        String ports = (dstFrom == null ? "" : "\"dstPortFrom\":" + dstFrom + ",\"dstPortTo\":" + dstTo + ",");
        String fields = "\"action\":\"" + action + "\",\"comment\":\"ACL rule: " + name + "\",\"name\":\"" + name + "\"," + stateful
            + ",\"proto\":\"" + proto + "\"," + ports + "\"dstPrefix\":\"" + dst + "\",\"srcPrefix\":\"" + src
            + "\",\"srcPortFrom\":1,\"srcPortTo\":65535,\"vpc\":{\"id\":" + vpcId + "}";
        if (existing != null) {
            HttpResponse<String> response = api.send("PUT", "/api/acl", "{\"id\":" + existing.get("id").asInt() + "," + fields + "}");
            assertTrue(response.statusCode() == 200 || response.body().contains(NetrisServiceResources.ACL_EXISTS), response.body());
            return existing.get("id").asInt();
        }
        return api.ok("POST", "/api/acl", "{" + fields + "}").get("id").asInt();
    }

    private int addStaticRoute(int vpcId) throws Exception {
        JsonNode vpc = vpcByName(VPC_NAME);
        assertTrue(api.ok("GET", "/api/routes?sites=" + site + "&vpc=" + vpcId, null).isEmpty());
        String body = "{\"prefix\":\"172.16.0.0/16\",\"nextHop\":\"10.1.1.254\",\"siteId\":" + site + ",\"stateStatus\":\"active\","
            + "\"vpc\":{\"id\":" + vpcId + ",\"name\":\"" + vpc.get("name").asText() + "\",\"isDefault\":false,\"isSystem\":false},"
            + "\"description\":\"D1-A2-Z1-V3-31\",\"switches\":[]}";
        api.ok("POST", "/api/routes", body);
        JsonNode listed = ApiFixture.find(api.ok("GET", "/api/routes?sites=" + site + "&vpc=" + vpcId, null), "name", "172.16.0.0/16");
        assertEquals("10.1.1.254", listed.get("nextHop").asText());
        return listed.get("id").asInt();
    }

    private void deleteStaticRoute(int vpcId, int routeId) throws Exception {
        JsonNode listed = ApiFixture.find(api.ok("GET", "/api/routes?sites=" + site + "&vpc=" + vpcId, null), "name", "172.16.0.0/16");
        assertEquals(routeId, listed.get("id").asInt());
        api.ok("DELETE", "/api/routes", "{\"id\":" + routeId + "}");
    }

    private void deleteLbRule(int vpcId, int systemVpcId, int lbId) throws Exception {
        assertEquals(lbId, ApiFixture.find(api.ok("GET", "/api/v2/l4lb?sites=" + site + "&vpc=" + vpcId, null), "name", "D1-A2-Z1-V3-LB21")
            .get("id").asInt());
        api.ok("DELETE", "/api/v2/l4lb/" + lbId, null);
        for (String acl : List.of("D1-A2-Z1-V3-LBACL0-web", "D1-A2-Z1-V3-LBACL1-web")) {
            JsonNode found = ApiFixture.find(api.ok("GET", "/api/acl?sites=" + site + "&vpc=" + systemVpcId, null), "name", acl);
            api.ok("DELETE", "/api/acl", "{\"id\":[" + found.get("id").asInt() + "],\"tenantsID\":\"" + tenant + "\"}");
        }
        releaseNatIp("203.0.113.13");
    }

    private void deleteNatRule(int ruleId, String publicIp) throws Exception {
        api.ok("DELETE", "/api/v2/nat/" + ruleId, null);
        releaseNatIp(publicIp);
    }

    /** The plugin's IP release: list the system VPC's subnets, delete every /32 of that address. */
    private void releaseNatIp(String ip) throws Exception {
        int systemId = systemVpc().get("id").asInt();
        for (JsonNode subnet : api.ok("GET", "/api/v2/ipam/subnets?vpc=" + systemId, null)) {
            if (subnet.get("prefix").asText().equals(ip + "/32")) {
                api.ok("DELETE", "/api/v2/ipam/subnet/" + subnet.get("id").asInt(), null);
            }
        }
    }

    private void deleteVnet(int vpcId, int vnetId) throws Exception {
        JsonNode vnet = ApiFixture.find(api.ok("GET", "/api/v2/vnet?vpc=" + vpcId, null), "name", "D1-A2-Z1-V3-N4-tier1");
        assertEquals(vnetId, vnet.get("id").asInt());
        api.ok("DELETE", "/api/v2/vnet/" + vnetId, null);
        JsonNode subnet = ApiFixture.find(api.ok("GET", "/api/v2/ipam/subnets?vpc=" + vpcId, null), "name", "D1-A2-Z1-3-" + TIER_CIDR);
        api.ok("DELETE", "/api/v2/ipam/subnet/" + subnet.get("id").asInt(), null);
    }

    private void deleteVpc(int vpcId) throws Exception {
        assertNull(ApiFixture.find(api.ok("GET", "/api/v2/nat", null), "name", "D1-A2-Z1-V3-vpc1-SNAT"));
        JsonNode resources = api.ok("GET", "/api/v2/vpc/" + vpcId + "/resources", null).get(0);
        JsonNode allocation = ApiFixture.find(resources.get("allocation"), "name", VPC_NAME + "-" + VPC_CIDR);
        api.ok("DELETE", "/api/v2/ipam/allocation/" + allocation.get("id").asInt(), null);
        api.ok("DELETE", "/api/v2/vpc/" + vpcId, null);
        assertNull(vpcByName(VPC_NAME));
    }
}
