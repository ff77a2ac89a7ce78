package io.softgate.service.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.intent.IntentDocument;
import io.softgate.service.intent.IntentRejectedException;
import io.softgate.service.intent.IntentStore;
import io.softgate.service.intent.StaticRouteIntent;
import io.softgate.service.intent.VnetIntent;
import io.softgate.service.intent.VpcIntent;
import io.softgate.service.intent.VrfNumbering;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Netris vNets ({@code /api/v2/vnet}) and static routes ({@code /api/routes}; a route's
 * {@code name} is its prefix; update and delete carry the id in a JSON body; a repeated create of
 * the same route answers the existing one, another next hop for a prefix of the VPC is a 409).
 *
 * <p>Threading: API executor thread only.
 */
final class NetrisNetworkResources extends ResourceSupport {
    private static final List<String> SITE_VPC = List.of("sites", "vpc");
    /** The node's configuration file: a VPC named as one of its VRFs keeps its rules in that VRF. */
    private final SoftgateConfig file;

    NetrisNetworkResources(IntentStore store, SoftgateConfig file) {
        super(store);
        this.file = file;
    }

    void register(Router router) {
        router.add("GET", "/api/v2/vnet", true, "netris", "List vNets", null, SITE_VPC, this::listVnets);
        router.add("POST", "/api/v2/vnet", true, "netris", "Create a vNet (vxlanID, gateways[{prefix}])", "VnetBody", List.of(), this::createVnet);
        router.add("GET", "/api/v2/vnet/{id}", true, "netris", "Get a vNet", null, List.of(), this::getVnet);
        router.add("PUT", "/api/v2/vnet/{id}", true, "netris", "Update a vNet", "VnetBody", List.of(), this::updateVnet);
        router.add("DELETE", "/api/v2/vnet/{id}", true, "netris", "Delete a vNet", null, List.of(), this::deleteVnet);
        router.add("GET", "/api/routes", true, "netris", "List static routes", null, SITE_VPC, this::listRoutes);
        router.add("POST", "/api/routes", true, "netris", "Create a static route", "RouteBody", List.of(), this::createRoute);
        router.add("PUT", "/api/routes", true, "netris", "Update a static route (id in the body)", "RouteBody", List.of(), this::updateRoute);
        router.add("DELETE", "/api/routes", true, "netris", "Delete a static route (id in the body)", "IdBody", List.of(), this::deleteRoute);
    }

    private ObjectNode vnetView(VnetIntent vnet) {
        ObjectNode node = Envelope.object();
        node.put("id", vnet.id());
        node.put("name", vnet.name());
        node.put("vxlanID", vnet.vxlanId());
        node.put("state", "active");
        ArrayNode gateways = node.putArray("gateways");
        for (String gateway : vnet.gateways()) {
            gateways.addObject().put("prefix", gateway);
        }
        node.set("vpc", vpcRef(vnet.vpcId()));
        node.set("tenant", tenantRef());
        node.putArray("sites").add(siteRef());
        node.putArray("tags");
        return node;
    }

    private ApiResponse listVnets(ApiRequest request) throws BadRequestException {
        Set<Integer> vpcFilter = QueryFilters.ids(request, "vpc");
        QueryFilters.ids(request, "sites");
        ArrayNode list = Envelope.array();
        for (VnetIntent vnet : document().vnets()) {
            if (QueryFilters.accepts(vpcFilter, vnet.vpcId())) {
                list.add(vnetView(vnet));
            }
        }
        return ok(list);
    }

    private ApiResponse getVnet(ApiRequest request) throws BadRequestException, IntentRejectedException {
        int id = pathId(request);
        for (VnetIntent vnet : document().vnets()) {
            if (vnet.id() == id) {
                return ok(vnetView(vnet));
            }
        }
        throw notFound("vNet", id);
    }

    private record VnetFields(String name, Integer vxlanId, List<String> gateways) {
    }

    private static VnetFields vnetFields(JsonNode body) throws BadRequestException {
        String name = JsonBody.text(body, "name", true);
        Integer vxlanId = JsonBody.integer(body, "vxlanID", false);
        List<String> gateways = null;
        JsonNode list = body.get("gateways");
        if (list != null && !list.isNull()) {
            if (!list.isArray() || list.size() > 16) {
                throw new BadRequestException("gateways", "must be a list of at most 16 {prefix}");
            }
            gateways = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                JsonNode item = list.get(i);
                if (!item.isObject()) {
                    throw new BadRequestException("gateways[" + i + "]", "must be an object with a prefix");
                }
                try {
                    gateways.add(JsonBody.text(item, "prefix", true));
                } catch (BadRequestException e) {
                    throw new BadRequestException("gateways[" + i + "].prefix", e.reason());
                }
            }
        }
        return new VnetFields(name, vxlanId, gateways);
    }

    private ApiResponse createVnet(ApiRequest request) throws BadRequestException, IntentRejectedException {
        JsonNode body = JsonBody.object(request);
        VnetFields fields = vnetFields(body);
        if (fields.vxlanId() == null) {
            throw new BadRequestException("vxlanID", "required");
        }
        if (fields.gateways() == null) {
            throw new BadRequestException("gateways", "required");
        }
        int vpcId = vpcOf(body, true, 0);
        VnetIntent created = apply(request, draft -> {
            for (VnetIntent existing : draft.vnets) {
                if (existing.name().equals(fields.name())) {
                    throw new IntentRejectedException(409, "name", "vNet '" + fields.name() + "' already exists (id " + existing.id() + ")");
                }
            }
            VnetIntent vnet = new VnetIntent(draft.newId(), fields.name(), vpcId, fields.vxlanId(), fields.gateways());
            draft.vnets.add(vnet);
            return vnet;
        });
        return ok(Envelope.object().put("id", created.id()).put("name", created.name()));
    }

    private ApiResponse updateVnet(ApiRequest request) throws BadRequestException, IntentRejectedException {
        int id = pathId(request);
        JsonNode body = JsonBody.object(request);
        VnetFields fields = vnetFields(body);
        String message = apply(request, draft -> {
            int index = indexOf(draft.vnets, VnetIntent::id, id);
            if (index < 0) {
                throw notFound("vNet", id);
            }
            VnetIntent old = draft.vnets.get(index);
            draft.vnets.set(index, new VnetIntent(id, fields.name(), vpcOf(body, false, old.vpcId()),
                fields.vxlanId() == null ? old.vxlanId() : fields.vxlanId(),
                fields.gateways() == null ? old.gateways() : fields.gateways()));
            return deactivated(draft);
        });
        return ok(message, idData(id));
    }

    private ApiResponse deleteVnet(ApiRequest request) throws BadRequestException, IntentRejectedException {
        int id = pathId(request);
        String message = apply(request, draft -> {
            int index = indexOf(draft.vnets, VnetIntent::id, id);
            if (index < 0) {
                throw notFound("vNet", id);
            }
            draft.vnets.remove(index);
            return deactivated(draft);
        });
        return ok(message, idData(id));
    }

    /**
     * The answer's message for a change of the vNets that left a VPC without any, hence without a
     * VRF ({@link VrfNumbering#activeVpcs}: a VPC named as a file VRF keeps that one): its NAT
     * rules, LB services and ACL rules stay stored but leave the data plane (the system VPC's ACL
     * rules stay, they guard the public VRF), which the change is allowed to do, and says ("" when
     * none).
     */
    private String deactivated(IntentDocument.Draft draft) {
        Set<Integer> lost = VrfNumbering.activeVpcs(file, draft.base().vpcs(), draft.base().vnets());
        lost.removeAll(VrfNumbering.activeVpcs(file, draft.vpcs, draft.vnets));
        List<String> inactive = new ArrayList<>();
        draft.nats.stream().filter(x -> lost.contains(x.vpcId())).forEach(x -> inactive.add("nat[" + x.name() + "]"));
        draft.l4lbs.stream().filter(x -> lost.contains(x.vpcId())).forEach(x -> inactive.add("l4lb[" + x.name() + "]"));
        Set<Integer> system = new HashSet<>();
        draft.vpcs.stream().filter(VpcIntent::system).forEach(x -> system.add(x.id()));
        draft.acls.stream().filter(x -> lost.contains(x.vpcId()) && !system.contains(x.vpcId()))
            .forEach(x -> inactive.add("acl[" + x.name() + "]"));
        if (inactive.isEmpty()) {
            return "";
        }
        return "inactive now (" + VrfNumbering.NO_VNET + ", VPC " + lost.stream().sorted().map(String::valueOf)
            .collect(Collectors.joining(", ")) + "): " + String.join(", ", inactive);
    }

    private ObjectNode routeView(StaticRouteIntent route) {
        ObjectNode node = Envelope.object();
        node.put("id", route.id());
        node.put("name", route.prefix());
        node.put("prefix", route.prefix());
        node.put("nextHop", route.nextHop());
        node.put("description", route.description());
        node.put("stateStatus", "active");
        node.set("vpc", vpcRef(route.vpcId()));
        node.set("site", siteRef());
        node.putArray("switches");
        return node;
    }

    private ApiResponse listRoutes(ApiRequest request) throws BadRequestException {
        Set<Integer> vpcFilter = QueryFilters.ids(request, "vpc");
        QueryFilters.ids(request, "sites");
        ArrayNode list = Envelope.array();
        for (StaticRouteIntent route : document().routes()) {
            if (QueryFilters.accepts(vpcFilter, route.vpcId())) {
                list.add(routeView(route));
            }
        }
        return ok(list);
    }

    private ApiResponse createRoute(ApiRequest request) throws BadRequestException, IntentRejectedException {
        JsonNode body = JsonBody.object(request);
        String prefix = JsonBody.text(body, "prefix", true);
        String nextHop = JsonBody.text(body, "nextHop", true);
        String description = JsonBody.text(body, "description", false);
        int vpcId = vpcOf(body, true, 0);
        StaticRouteIntent created = apply(request, draft -> {
            for (StaticRouteIntent existing : draft.routes) {
                // DESIGN §7: any answer but a 2xx fails the CloudStack operation, and the plugin
                // itself counts a route with the same prefix and next hop as done: a repeated create
                // answers the existing route. Another next hop for the prefix is a duplicate (409).
                if (existing.vpcId() == vpcId && existing.prefix().equals(prefix) && existing.nextHop().equals(nextHop)) {
                    return existing;
                }
            }
            StaticRouteIntent route = new StaticRouteIntent(draft.newId(), prefix, nextHop, vpcId, description);
            draft.routes.add(route);
            return route;
        });
        return ok(idData(created.id()));
    }

    private ApiResponse updateRoute(ApiRequest request) throws BadRequestException, IntentRejectedException {
        JsonNode body = JsonBody.object(request);
        int id = JsonBody.integer(body, "id", true);
        String prefix = JsonBody.text(body, "prefix", true);
        String nextHop = JsonBody.text(body, "nextHop", true);
        String description = JsonBody.text(body, "description", false);
        apply(request, draft -> {
            int index = indexOf(draft.routes, StaticRouteIntent::id, id);
            if (index < 0) {
                throw notFound("route", id);
            }
            StaticRouteIntent old = draft.routes.get(index);
            draft.routes.set(index, new StaticRouteIntent(id, prefix, nextHop, vpcOf(body, false, old.vpcId()),
                description == null ? old.description() : description));
            return null;
        });
        return ok(idData(id));
    }

    private ApiResponse deleteRoute(ApiRequest request) throws BadRequestException, IntentRejectedException {
        JsonNode body = JsonBody.object(request);
        List<Integer> ids = JsonBody.ids(body, "id");
        apply(request, draft -> {
            for (int id : ids) {
                int index = indexOf(draft.routes, StaticRouteIntent::id, id);
                if (index < 0) {
                    throw notFound("route", id);
                }
                draft.routes.remove(index);
            }
            return null;
        });
        return ok(Envelope.object().put("deleted", ids.size()));
    }
}
