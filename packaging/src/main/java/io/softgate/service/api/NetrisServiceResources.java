package io.softgate.service.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.intent.AclIntent;
import io.softgate.service.intent.IntentRejectedException;
import io.softgate.service.intent.IntentStore;
import io.softgate.service.intent.L4lbIntent;
import io.softgate.service.intent.LbBackendIntent;
import io.softgate.service.intent.NatIntent;
import io.softgate.service.intent.VrfNumbering;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Netris services: NAT rules ({@code /api/v2/nat}), L4 load balancers ({@code /api/v2/l4lb};
 * both listed with {@code active} and {@code inactiveReason}, e.g. "VPC has no vNet") and ACLs
 * ({@code /api/acl}: update carries the id in the body, delete carries {@code {"id": [..]}}; a
 * create or an update that would make an ACL repeat another rule is refused with 409 "This kind
 * of acl already exists", and an update that changes nothing at all, comment included, succeeds
 * with that message).
 *
 * <p>Threading: API executor thread only.
 */
final class NetrisServiceResources extends ResourceSupport {
    static final String ACL_EXISTS = "This kind of acl already exists";
    private static final List<String> SITE_VPC = List.of("sites", "vpc");
    /** The node's configuration file: a VPC named as one of its VRFs has its rules in that VRF. */
    private final SoftgateConfig file;

    NetrisServiceResources(IntentStore store, SoftgateConfig file) {
        super(store);
        this.file = file;
    }

    void register(Router router) {
        router.add("GET", "/api/v2/nat", true, "netris", "List NAT rules", null, SITE_VPC, this::listNats);
        router.add("POST", "/api/v2/nat", true, "netris", "Create a NAT rule (SNAT, DNAT, MASQUERADE, ACCEPT_SNAT)", "NatBody", List.of(), this::createNat);
        router.add("GET", "/api/v2/nat/{id}", true, "netris", "Get a NAT rule", null, List.of(), this::getNat);
        router.add("PUT", "/api/v2/nat/{id}", true, "netris", "Update a NAT rule", "NatBody", List.of(), this::updateNat);
        router.add("DELETE", "/api/v2/nat/{id}", true, "netris", "Delete a NAT rule", null, List.of(), this::deleteNat);
        router.add("GET", "/api/v2/l4lb", true, "netris", "List L4 load balancers", null, SITE_VPC, this::listLbs);
        router.add("POST", "/api/v2/l4lb", true, "netris", "Create an L4 load balancer", "L4lbBody", List.of(), this::createLb);
        router.add("GET", "/api/v2/l4lb/{id}", true, "netris", "Get an L4 load balancer", null, List.of(), this::getLb);
        router.add("PUT", "/api/v2/l4lb/{id}", true, "netris", "Update an L4 load balancer", "L4lbBody", List.of(), this::updateLb);
        router.add("DELETE", "/api/v2/l4lb/{id}", true, "netris", "Delete an L4 load balancer", null, List.of(), this::deleteLb);
        router.add("GET", "/api/acl", true, "netris", "List ACL rules", null, SITE_VPC, this::listAcls);
        router.add("POST", "/api/acl", true, "netris", "Create an ACL rule", "AclBody", List.of(), this::createAcl);
        router.add("PUT", "/api/acl", true, "netris", "Update an ACL rule (id in the body)", "AclBody", List.of(), this::updateAcl);
        router.add("DELETE", "/api/acl", true, "netris", "Delete ACL rules ({\"id\": [..]} in the body)", "IdListBody", List.of(), this::deleteAcls);
    }

    // --- NAT ---------------------------------------------------------------------------

    /**
     * Whether a rule or service is in the data plane ({@code active}) and, when not, why
     * ({@code inactiveReason}): a VPC without a vNet has no VRF (unless its name is a VRF of the
     * configuration file, which the adapters compile its rules into: {@link VrfNumbering#activeVpcs}),
     * so its NAT rules and LB services are stored and listed but not compiled
     * ({@link VrfNumbering#NO_VNET}); a disabled one is compiled off. The controller may create
     * them before the vNet (CloudStack: a VPC's source NAT before its first tier), so they are
     * accepted and reported instead of refused.
     */
    static void activity(ObjectNode node, boolean vpcHasVrf, boolean enabled) {
        String reason = VrfNumbering.inactiveReason(vpcHasVrf, enabled);
        node.put("active", reason == null);
        node.put("inactiveReason", reason);
    }

    /** The ids of the current document's VPCs whose rules are in the data plane. */
    private Set<Integer> activeVpcs() {
        return VrfNumbering.activeVpcs(file, document().vpcs(), document().vnets());
    }

    /** The answer's message for a rule or service just stored in a VPC without a VRF ("" otherwise). */
    private String inactiveMessage(int vpcId) {
        if (activeVpcs().contains(vpcId)) {
            return "";
        }
        return "inactive: " + VrfNumbering.NO_VNET + " (VPC " + vpcId + "); it reaches the data plane once the VPC has a vNet";
    }

    private ObjectNode natView(NatIntent nat, Set<Integer> activeVpcs) {
        ObjectNode node = Envelope.object();
        node.put("id", nat.id());
        node.put("name", nat.name());
        node.put("action", nat.action());
        node.put("protocol", nat.protocol());
        node.put("state", nat.state());
        node.put("sourceAddress", nat.sourceAddress());
        node.put("sourcePort", nat.sourcePort());
        node.put("destinationAddress", nat.destinationAddress());
        node.put("destinationPort", nat.destinationPort());
        node.put("snatToIP", nat.snatToIp());
        node.put("snatToPool", nat.snatToPool());
        node.put("dnatToIP", nat.dnatToIp());
        if (nat.dnatToPort() == null) {
            node.putNull("dnatToPort");
        } else {
            node.put("dnatToPort", nat.dnatToPort());
        }
        node.set("vpc", vpcRef(nat.vpcId()));
        node.set("site", siteRef());
        activity(node, activeVpcs.contains(nat.vpcId()), !"disabled".equals(nat.state()));
        return node;
    }

    private static String portText(JsonNode body, String field) throws BadRequestException {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isIntegralNumber() && value.canConvertToInt()) {
            return Integer.toString(value.intValue());
        }
        if (value.isTextual()) {
            return value.textValue().isEmpty() ? null : value.textValue();
        }
        throw new BadRequestException(field, "must be a port or port range string such as \"80\" or \"1-65535\"");
    }

    private NatIntent natFields(JsonNode body, int id, int vpcId) throws BadRequestException {
        String action = upper(JsonBody.text(body, "action", true));
        String protocol = JsonBody.text(body, "protocol", false);
        String state = JsonBody.text(body, "state", false);
        return new NatIntent(id, JsonBody.text(body, "name", true), action,
            protocol == null ? "ALL" : upper(protocol), JsonBody.text(body, "sourceAddress", false),
            portText(body, "sourcePort"), JsonBody.text(body, "destinationAddress", false), portText(body, "destinationPort"),
            JsonBody.text(body, "snatToIP", false), JsonBody.text(body, "snatToPool", false),
            JsonBody.text(body, "dnatToIP", false), JsonBody.integer(body, "dnatToPort", false),
            state == null ? "enabled" : state.toLowerCase(Locale.ROOT), vpcId);
    }

    private ApiResponse listNats(ApiRequest request) throws BadRequestException {
        Set<Integer> vpcFilter = QueryFilters.ids(request, "vpc");
        QueryFilters.ids(request, "sites");
        ArrayNode list = Envelope.array();
        Set<Integer> activeVpcs = activeVpcs();
        for (NatIntent nat : document().nats()) {
            if (QueryFilters.accepts(vpcFilter, nat.vpcId())) {
                list.add(natView(nat, activeVpcs));
            }
        }
        return ok(list);
    }

    private ApiResponse getNat(ApiRequest request) throws BadRequestException, IntentRejectedException {
        int id = pathId(request);
        for (NatIntent nat : document().nats()) {
            if (nat.id() == id) {
                return ok(natView(nat, activeVpcs()));
            }
        }
        throw notFound("NAT rule", id);
    }

    private ApiResponse createNat(ApiRequest request) throws BadRequestException, IntentRejectedException {
        JsonNode body = JsonBody.object(request);
        int vpcId = vpcOf(body, true, 0);
        NatIntent fields = natFields(body, 0, vpcId);
        NatIntent created = apply(request, draft -> {
            for (NatIntent existing : draft.nats) {
                if (existing.name().equals(fields.name())) {
                    throw new IntentRejectedException(409, "name", "NAT rule '" + fields.name() + "' already exists (id " + existing.id() + ")");
                }
            }
            NatIntent nat = withId(fields, draft.newId(), vpcId);
            draft.nats.add(nat);
            return nat;
        });
        return ok(inactiveMessage(created.vpcId()), idData(created.id()));
    }

    private static NatIntent withId(NatIntent n, int id, int vpcId) {
        return new NatIntent(id, n.name(), n.action(), n.protocol(), n.sourceAddress(), n.sourcePort(),
            n.destinationAddress(), n.destinationPort(), n.snatToIp(), n.snatToPool(), n.dnatToIp(), n.dnatToPort(),
            n.state(), vpcId);
    }

    private ApiResponse updateNat(ApiRequest request) throws BadRequestException, IntentRejectedException {
        int id = pathId(request);
        JsonNode body = JsonBody.object(request);
        NatIntent fields = natFields(body, id, 0);
        NatIntent nat = apply(request, draft -> {
            int index = indexOf(draft.nats, NatIntent::id, id);
            if (index < 0) {
                throw notFound("NAT rule", id);
            }
            NatIntent updated = withId(fields, id, vpcOf(body, false, draft.nats.get(index).vpcId()));
            draft.nats.set(index, updated);
            return updated;
        });
        return ok(inactiveMessage(nat.vpcId()), idData(id));
    }

    private ApiResponse deleteNat(ApiRequest request) throws BadRequestException, IntentRejectedException {
        int id = pathId(request);
        apply(request, draft -> {
            int index = indexOf(draft.nats, NatIntent::id, id);
            if (index < 0) {
                throw notFound("NAT rule", id);
            }
            draft.nats.remove(index);
            return null;
        });
        return ok(idData(id));
    }

    // --- L4LB --------------------------------------------------------------------------

    private ObjectNode lbView(L4lbIntent lb, Set<Integer> activeVpcs) {
        ObjectNode node = Envelope.object();
        node.put("id", lb.id());
        node.put("name", lb.name());
        node.put("protocol", lb.protocol());
        node.put("ip", lb.ip());
        node.put("port", lb.port());
        node.put("status", lb.status());
        node.put("healthCheck", lb.healthCheck());
        if (lb.timeOut() != null) {
            node.put("timeOut", lb.timeOut());
        }
        node.put("requestPath", lb.requestPath());
        node.put("automatic", false);
        node.put("ipFamily", lb.ip() != null && lb.ip().indexOf(':') >= 0 ? "IPv6" : "IPv4");
        ArrayNode backends = node.putArray("backend");
        for (LbBackendIntent backend : lb.backends()) {
            backends.addObject().put("ip", backend.ip()).put("port", backend.port());
        }
        node.set("vpc", vpcRef(lb.vpcId()));
        node.set("site", siteRef());
        node.set("tenant", tenantRef());
        activity(node, activeVpcs.contains(lb.vpcId()), "enable".equals(lb.status()));
        return node;
    }

    private static L4lbIntent lbFields(JsonNode body, int id, int vpcId) throws BadRequestException {
        String healthCheck = JsonBody.text(body, "healthCheck", false);
        String status = JsonBody.text(body, "status", false);
        List<LbBackendIntent> backends = new ArrayList<>();
        JsonNode list = body.get("backend");
        if (list == null || !list.isArray()) {
            throw new BadRequestException("backend", "required: a list of {ip, port}");
        }
        if (list.size() > 4096) {
            throw new BadRequestException("backend", "at most 4096 backends");
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode item = list.get(i);
            if (!item.isObject()) {
                throw new BadRequestException("backend[" + i + "]", "must be an object {ip, port}");
            }
            try {
                backends.add(new LbBackendIntent(JsonBody.text(item, "ip", true), JsonBody.integer(item, "port", true)));
            } catch (BadRequestException e) {
                throw new BadRequestException("backend[" + i + "]." + e.field(), e.reason());
            }
        }
        return new L4lbIntent(id, JsonBody.text(body, "name", true), JsonBody.text(body, "protocol", true),
            JsonBody.text(body, "ip", true), JsonBody.integer(body, "port", true), status == null ? "enable" : status,
            backends, healthCheck == null ? "None" : healthCheckName(healthCheck), JsonBody.integer(body, "timeOut", false),
            JsonBody.text(body, "requestPath", false), vpcId);
    }

    private static String healthCheckName(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "none" -> "None";
            case "tcp" -> "TCP";
            case "http" -> "HTTP";
            default -> text;
        };
    }

    private static L4lbIntent withId(L4lbIntent lb, int id, int vpcId) {
        return new L4lbIntent(id, lb.name(), lb.protocol(), lb.ip(), lb.port(), lb.status(), lb.backends(),
            lb.healthCheck(), lb.timeOut(), lb.requestPath(), vpcId);
    }

    private ApiResponse listLbs(ApiRequest request) throws BadRequestException {
        Set<Integer> vpcFilter = QueryFilters.ids(request, "vpc");
        QueryFilters.ids(request, "sites");
        ArrayNode list = Envelope.array();
        Set<Integer> activeVpcs = activeVpcs();
        for (L4lbIntent lb : document().l4lbs()) {
            if (QueryFilters.accepts(vpcFilter, lb.vpcId())) {
                list.add(lbView(lb, activeVpcs));
            }
        }
        return ok(list);
    }

    private ApiResponse getLb(ApiRequest request) throws BadRequestException, IntentRejectedException {
        int id = pathId(request);
        for (L4lbIntent lb : document().l4lbs()) {
            if (lb.id() == id) {
                return ok(lbView(lb, activeVpcs()));
            }
        }
        throw notFound("load balancer", id);
    }

    private ApiResponse createLb(ApiRequest request) throws BadRequestException, IntentRejectedException {
        JsonNode body = JsonBody.object(request);
        int vpcId = vpcOf(body, true, 0);
        L4lbIntent fields = lbFields(body, 0, vpcId);
        L4lbIntent created = apply(request, draft -> {
            for (L4lbIntent existing : draft.l4lbs) {
                if (existing.name().equals(fields.name())) {
                    throw new IntentRejectedException(409, "name", "load balancer '" + fields.name() + "' already exists (id " + existing.id() + ")");
                }
            }
            L4lbIntent lb = withId(fields, draft.newId(), vpcId);
            draft.l4lbs.add(lb);
            return lb;
        });
        return ok(inactiveMessage(created.vpcId()), idData(created.id()));
    }

    private ApiResponse updateLb(ApiRequest request) throws BadRequestException, IntentRejectedException {
        int id = pathId(request);
        JsonNode body = JsonBody.object(request);
        L4lbIntent fields = lbFields(body, id, 0);
        L4lbIntent lb = apply(request, draft -> {
            int index = indexOf(draft.l4lbs, L4lbIntent::id, id);
            if (index < 0) {
                throw notFound("load balancer", id);
            }
            L4lbIntent updated = withId(fields, id, vpcOf(body, false, draft.l4lbs.get(index).vpcId()));
            draft.l4lbs.set(index, updated);
            return updated;
        });
        return ok(inactiveMessage(lb.vpcId()), idData(id));
    }

    private ApiResponse deleteLb(ApiRequest request) throws BadRequestException, IntentRejectedException {
        int id = pathId(request);
        apply(request, draft -> {
            int index = indexOf(draft.l4lbs, L4lbIntent::id, id);
            if (index < 0) {
                throw notFound("load balancer", id);
            }
            draft.l4lbs.remove(index);
            return null;
        });
        return ok(idData(id));
    }

    // --- ACL ---------------------------------------------------------------------------

    private ObjectNode aclView(AclIntent acl) {
        ObjectNode node = Envelope.object();
        node.put("id", acl.id());
        node.put("name", acl.name());
        node.put("action", acl.action());
        node.put("proto", acl.proto());
        node.put("srcPrefix", acl.srcPrefix());
        node.put("dstPrefix", acl.dstPrefix());
        node.put("srcPortFrom", acl.srcPortFrom());
        node.put("srcPortTo", acl.srcPortTo());
        node.put("dstPortFrom", acl.dstPortFrom());
        node.put("dstPortTo", acl.dstPortTo());
        node.put("established", acl.established() ? 1 : 0);
        node.put("reverse", acl.reverse() ? "yes" : "no");
        if (acl.icmpType() != null) {
            node.put("icmpType", acl.icmpType());
        }
        node.put("comment", acl.comment());
        node.set("vpc", vpcRef(acl.vpcId()));
        return node;
    }

    private static AclIntent aclFields(JsonNode body, int id, int vpcId) throws BadRequestException {
        String proto = JsonBody.text(body, "proto", false);
        Integer srcFrom = JsonBody.integer(body, "srcPortFrom", false);
        Integer srcTo = JsonBody.integer(body, "srcPortTo", false);
        Integer dstFrom = JsonBody.integer(body, "dstPortFrom", false);
        Integer dstTo = JsonBody.integer(body, "dstPortTo", false);
        String srcPrefix = JsonBody.text(body, "srcPrefix", false);
        String dstPrefix = JsonBody.text(body, "dstPrefix", false);
        String action = JsonBody.text(body, "action", true);
        return new AclIntent(id, JsonBody.text(body, "name", true), action.toLowerCase(Locale.ROOT),
            proto == null ? "all" : proto.toLowerCase(Locale.ROOT),
            srcPrefix == null ? "0.0.0.0/0" : srcPrefix, dstPrefix == null ? "0.0.0.0/0" : dstPrefix,
            srcFrom == null ? 1 : srcFrom, srcTo == null ? 65535 : srcTo, dstFrom == null ? 1 : dstFrom,
            dstTo == null ? 65535 : dstTo, JsonBody.flag(body, "established", false), JsonBody.flag(body, "reverse", false),
            JsonBody.integer(body, "icmpType", false), vpcId, JsonBody.text(body, "comment", false));
    }

    private static AclIntent withId(AclIntent a, int id, int vpcId) {
        return new AclIntent(id, a.name(), a.action(), a.proto(), a.srcPrefix(), a.dstPrefix(), a.srcPortFrom(),
            a.srcPortTo(), a.dstPortFrom(), a.dstPortTo(), a.established(), a.reverse(), a.icmpType(), vpcId, a.comment());
    }

    private ApiResponse listAcls(ApiRequest request) throws BadRequestException {
        Set<Integer> vpcFilter = QueryFilters.ids(request, "vpc");
        QueryFilters.ids(request, "sites");
        ArrayNode list = Envelope.array();
        for (AclIntent acl : document().acls()) {
            if (QueryFilters.accepts(vpcFilter, acl.vpcId())) {
                list.add(aclView(acl));
            }
        }
        return ok(list);
    }

    private ApiResponse createAcl(ApiRequest request) throws BadRequestException, IntentRejectedException {
        JsonNode body = JsonBody.object(request);
        int vpcId = vpcOf(body, true, 0);
        AclIntent fields = aclFields(body, 0, vpcId);
        AclIntent created = apply(request, draft -> {
            AclIntent candidate = withId(fields, 0, vpcId);
            for (AclIntent existing : draft.acls) {
                if (existing.vpcId() == vpcId && existing.name().equals(fields.name())) {
                    throw new IntentRejectedException(409, "name", "ACL '" + fields.name() + "' already exists (id " + existing.id() + ")");
                }
                if (existing.sameMatchAndAction(candidate)) {
                    throw new IntentRejectedException(409, "acl", ACL_EXISTS + " (id " + existing.id() + ", '" + existing.name() + "')");
                }
            }
            AclIntent acl = withId(fields, draft.newId(), vpcId);
            draft.acls.add(acl);
            return acl;
        });
        return ok(idData(created.id()));
    }

    private ApiResponse updateAcl(ApiRequest request) throws BadRequestException, IntentRejectedException {
        JsonNode body = JsonBody.object(request);
        int id = JsonBody.integer(body, "id", true);
        AclIntent fields = aclFields(body, id, 0);
        boolean[] unchanged = new boolean[1];
        apply(request, draft -> {
            int index = indexOf(draft.acls, AclIntent::id, id);
            if (index < 0) {
                throw notFound("ACL", id);
            }
            AclIntent old = draft.acls.get(index);
            AclIntent updated = withId(fields, id, vpcOf(body, false, old.vpcId()));
            // Only the whole record decides "unchanged": a comment-only change is a change.
            if (old.equals(updated)) {
                unchanged[0] = true;
                return null;
            }
            // As on create: an update may not make this rule repeat another one.
            for (AclIntent other : draft.acls) {
                if (other.id() != id && other.sameMatchAndAction(updated)) {
                    throw new IntentRejectedException(409, "acl", ACL_EXISTS + " (id " + other.id() + ", '" + other.name() + "')");
                }
            }
            draft.acls.set(index, updated);
            return null;
        });
        return unchanged[0] ? ok(ACL_EXISTS + "; unchanged", idData(id)) : ok(idData(id));
    }

    private ApiResponse deleteAcls(ApiRequest request) throws BadRequestException, IntentRejectedException {
        JsonNode body = JsonBody.object(request);
        List<Integer> ids = JsonBody.ids(body, "id");
        apply(request, draft -> {
            for (int id : ids) {
                int index = indexOf(draft.acls, AclIntent::id, id);
                if (index < 0) {
                    throw notFound("ACL", id);
                }
                draft.acls.remove(index);
            }
            return null;
        });
        return ok(Envelope.object().put("deleted", ids.size()));
    }

    private static String upper(String text) {
        return text == null ? null : text.toUpperCase(Locale.ROOT);
    }
}
