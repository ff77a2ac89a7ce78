package io.softgate.service.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.softgate.service.intent.AllocationIntent;
import io.softgate.service.intent.IntentDocument;
import io.softgate.service.intent.IntentRejectedException;
import io.softgate.service.intent.IntentStore;
import io.softgate.service.intent.IpPrefix;
import io.softgate.service.intent.SubnetIntent;
import io.softgate.service.intent.SubnetUsers;
import io.softgate.service.intent.VnetIntent;
import io.softgate.service.intent.VpcIntent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The Netris catalogue: sites, tenants, VPCs (with their resources) and IPAM (allocations and
 * subnets). Creates answer with the new object's {@code id} in {@code data}; a repeated create
 * of the same allocation or subnet (same name, prefix and VPC) answers the existing one. A subnet
 * that a NAT rule or load-balancer service still stands on ({@link SubnetUsers}) cannot be deleted
 * or changed from under it (409 naming the users).
 *
 * <p>Threading: API executor thread only.
 */
final class NetrisCatalogResources extends ResourceSupport {
    private static final List<String> SITE_VPC = List.of("sites", "vpc");

    NetrisCatalogResources(IntentStore store) {
        super(store);
    }

    void register(Router router) {
        router.add("GET", "/api/sites", true, "netris", "List sites (this node is one site)", null, List.of(), r -> ok(sites()));
        router.add("GET", "/api/tenants", true, "netris", "List tenants (the admin tenant)", null, List.of(), r -> ok(tenants()));
        router.add("GET", "/api/v2/vpc", true, "netris", "List VPCs (exactly one is the system VPC)", null, List.of(), r -> ok(vpcs()));
        router.add("POST", "/api/v2/vpc", true, "netris", "Create a VPC", "VpcBody", List.of(), this::createVpc);
        router.add("GET", "/api/v2/vpc/{id}", true, "netris", "Get a VPC", null, List.of(), this::getVpc);
        router.add("PUT", "/api/v2/vpc/{id}", true, "netris", "Rename a VPC", "VpcBody", List.of(), this::updateVpc);
        router.add("DELETE", "/api/v2/vpc/{id}", true, "netris", "Delete a VPC (its allocations, subnets, ACLs and routes go with it)", null, List.of(), this::deleteVpc);
        router.add("GET", "/api/v2/vpc/{id}/resources", true, "netris", "List a VPC's allocations, subnets and vNets", null, List.of(), this::vpcResources);
        router.add("GET", "/api/v2/ipam", true, "netris", "IPAM tree: allocations with their subnets", null, SITE_VPC, this::ipamTree);
        router.add("POST", "/api/v2/ipam/allocation", true, "netris", "Create an IPAM allocation", "AllocationBody", List.of(), this::createAllocation);
        router.add("PUT", "/api/v2/ipam/allocation/{id}", true, "netris", "Update an IPAM allocation", "AllocationBody", List.of(), this::updateAllocation);
        router.add("GET", "/api/v2/ipam/subnets", true, "netris", "List IPAM subnets", null, SITE_VPC, this::listSubnets);
        router.add("POST", "/api/v2/ipam/subnet", true, "netris", "Create an IPAM subnet (purpose common, nat or load-balancer)", "SubnetBody", List.of(), this::createSubnet);
        router.add("PUT", "/api/v2/ipam/subnet/{id}", true, "netris", "Update an IPAM subnet", "SubnetBody", List.of(), this::updateSubnet);
        router.add("DELETE", "/api/v2/ipam/{type}/{id}", true, "netris", "Delete an IPAM allocation or subnet (type = allocation | subnet)", null, List.of(), this::deleteIpam);
    }

    private ArrayNode sites() {
        ArrayNode list = Envelope.array();
        list.add(siteRef());
        return list;
    }

    private ArrayNode tenants() {
        ArrayNode list = Envelope.array();
        list.add(tenantRef());
        return list;
    }

    private ArrayNode vpcs() {
        ArrayNode list = Envelope.array();
        for (VpcIntent vpc : document().vpcs()) {
            list.add(vpcView(vpc));
        }
        return list;
    }

    private ObjectNode vpcView(VpcIntent vpc) {
        ObjectNode node = Envelope.object();
        node.put("id", vpc.id());
        node.put("name", vpc.name());
        node.put("isSystem", vpc.system());
        node.put("isDefault", false);
        node.set("adminTenant", tenantRef());
        node.putArray("guestTenant");
        node.putArray("tags");
        return node;
    }

    private ApiResponse getVpc(ApiRequest request) throws BadRequestException, IntentRejectedException {
        int id = pathId(request);
        VpcIntent vpc = document().vpc(id);
        if (vpc == null) {
            throw notFound("VPC", id);
        }
        return ok(vpcView(vpc));
    }

    private ApiResponse createVpc(ApiRequest request) throws BadRequestException, IntentRejectedException {
        JsonNode body = JsonBody.object(request);
        String name = JsonBody.text(body, "name", true);
        Integer tenant = JsonBody.nestedId(body, "adminTenant", false);
        int tenantId = tenant == null ? IntentDocument.ADMIN_TENANT_ID : tenant;
        VpcIntent created = apply(request, draft -> {
            for (VpcIntent vpc : draft.vpcs) {
                if (vpc.name().equals(name)) {
                    throw new IntentRejectedException(409, "name", "VPC '" + name + "' already exists (id " + vpc.id() + ")");
                }
            }
            VpcIntent vpc = new VpcIntent(draft.newId(), name, tenantId, false);
            draft.vpcs.add(vpc);
            return vpc;
        });
        return ok(Envelope.object().put("id", created.id()).put("name", created.name()));
    }

    private ApiResponse updateVpc(ApiRequest request) throws BadRequestException, IntentRejectedException {
        int id = pathId(request);
        JsonNode body = JsonBody.object(request);
        String name = JsonBody.text(body, "name", true);
        apply(request, draft -> {
            int index = indexOf(draft.vpcs, VpcIntent::id, id);
            if (index < 0) {
                throw notFound("VPC", id);
            }
            VpcIntent old = draft.vpcs.get(index);
            draft.vpcs.set(index, new VpcIntent(id, name, old.adminTenantId(), old.system()));
            return null;
        });
        return ok(idData(id));
    }

    private ApiResponse deleteVpc(ApiRequest request) throws BadRequestException, IntentRejectedException {
        int id = pathId(request);
        apply(request, draft -> {
            int index = indexOf(draft.vpcs, VpcIntent::id, id);
            if (index < 0) {
                throw notFound("VPC", id);
            }
            if (draft.vpcs.get(index).system()) {
                throw new IntentRejectedException(409, "id", "the system VPC cannot be deleted");
            }
            List<String> users = new ArrayList<>();
            draft.vnets.stream().filter(x -> x.vpcId() == id).forEach(x -> users.add("vNet '" + x.name() + "'"));
            draft.nats.stream().filter(x -> x.vpcId() == id).forEach(x -> users.add("NAT rule '" + x.name() + "'"));
            draft.l4lbs.stream().filter(x -> x.vpcId() == id).forEach(x -> users.add("load balancer '" + x.name() + "'"));
            if (!users.isEmpty()) {
                throw new IntentRejectedException(409, "id", "VPC " + id + " is still used by " + String.join(", ", users));
            }
            draft.vpcs.remove(index);
            draft.allocations.removeIf(x -> x.vpcId() == id);
            draft.subnets.removeIf(x -> x.vpcId() == id);
            draft.acls.removeIf(x -> x.vpcId() == id);
            draft.routes.removeIf(x -> x.vpcId() == id);
            return null;
        });
        return ok(idData(id));
    }

    private ApiResponse vpcResources(ApiRequest request) throws BadRequestException, IntentRejectedException {
        int id = pathId(request);
        if (document().vpc(id) == null) {
            throw notFound("VPC", id);
        }
        ObjectNode resource = Envelope.object();
        resource.put("id", id);
        ArrayNode allocations = resource.putArray("allocation");
        for (AllocationIntent allocation : document().allocations()) {
            if (allocation.vpcId() == id) {
                allocations.add(allocationView(allocation));
            }
        }
        ArrayNode subnets = resource.putArray("subnet");
        for (SubnetIntent subnet : document().subnets()) {
            if (subnet.vpcId() == id) {
                subnets.add(subnetView(subnet));
            }
        }
        ArrayNode vnets = resource.putArray("vnet");
        for (VnetIntent vnet : document().vnets()) {
            if (vnet.vpcId() == id) {
                vnets.add(Envelope.object().put("id", vnet.id()).put("name", vnet.name()));
            }
        }
        ArrayNode list = Envelope.array();
        list.add(resource);
        return ok(list);
    }

    private ObjectNode allocationView(AllocationIntent allocation) {
        ObjectNode node = Envelope.object();
        node.put("id", allocation.id());
        node.put("name", allocation.name());
        node.put("prefix", allocation.prefix());
        node.put("type", "allocation");
        node.set("vpc", vpcRef(allocation.vpcId()));
        node.set("tenant", tenantRef());
        return node;
    }

    private ObjectNode subnetView(SubnetIntent subnet) {
        ObjectNode node = Envelope.object();
        node.put("id", subnet.id());
        node.put("name", subnet.name());
        node.put("prefix", subnet.prefix());
        node.put("purpose", subnet.purpose());
        node.put("type", "subnet");
        node.put("allocationID", subnet.allocationId());
        node.set("vpc", vpcRef(subnet.vpcId()));
        node.set("tenant", tenantRef());
        node.putArray("sites").add(siteRef());
        return node;
    }

    private ApiResponse ipamTree(ApiRequest request) throws BadRequestException {
        Set<Integer> vpcFilter = QueryFilters.ids(request, "vpc");
        QueryFilters.ids(request, "sites");
        ArrayNode list = Envelope.array();
        for (AllocationIntent allocation : document().allocations()) {
            if (!QueryFilters.accepts(vpcFilter, allocation.vpcId())) {
                continue;
            }
            ObjectNode node = allocationView(allocation);
            ArrayNode children = node.putArray("children");
            for (SubnetIntent subnet : document().subnets()) {
                if (subnet.allocationId() == allocation.id()) {
                    children.add(subnetView(subnet));
                }
            }
            list.add(node);
        }
        return ok(list);
    }

    private ApiResponse createAllocation(ApiRequest request) throws BadRequestException, IntentRejectedException {
        JsonNode body = JsonBody.object(request);
        String name = JsonBody.text(body, "name", true);
        String prefix = JsonBody.text(body, "prefix", true);
        int vpcId = vpcOf(body, true, 0);
        AllocationIntent result = apply(request, draft -> {
            for (AllocationIntent existing : draft.allocations) {
                if (existing.name().equals(name)) {
                    if (existing.prefix().equals(prefix) && existing.vpcId() == vpcId) {
                        return existing;
                    }
                    throw new IntentRejectedException(409, "name", "allocation '" + name + "' already exists (id " + existing.id() + ")");
                }
            }
            AllocationIntent allocation = new AllocationIntent(draft.newId(), name, prefix, vpcId);
            draft.allocations.add(allocation);
            return allocation;
        });
        return ok(allocationView(result));
    }

    private ApiResponse updateAllocation(ApiRequest request) throws BadRequestException, IntentRejectedException {
        int id = pathId(request);
        JsonNode body = JsonBody.object(request);
        String name = JsonBody.text(body, "name", true);
        String prefix = JsonBody.text(body, "prefix", true);
        AllocationIntent result = apply(request, draft -> {
            int index = indexOf(draft.allocations, AllocationIntent::id, id);
            if (index < 0) {
                throw notFound("allocation", id);
            }
            AllocationIntent old = draft.allocations.get(index);
            AllocationIntent updated = new AllocationIntent(id, name, prefix, vpcOf(body, false, old.vpcId()));
            draft.allocations.set(index, updated);
            return updated;
        });
        return ok(allocationView(result));
    }

    private ApiResponse listSubnets(ApiRequest request) throws BadRequestException {
        Set<Integer> vpcFilter = QueryFilters.ids(request, "vpc");
        QueryFilters.ids(request, "sites");
        ArrayNode list = Envelope.array();
        for (SubnetIntent subnet : document().subnets()) {
            if (QueryFilters.accepts(vpcFilter, subnet.vpcId())) {
                list.add(subnetView(subnet));
            }
        }
        return ok(list);
    }

    private ApiResponse createSubnet(ApiRequest request) throws BadRequestException, IntentRejectedException {
        JsonNode body = JsonBody.object(request);
        String name = JsonBody.text(body, "name", true);
        String prefix = JsonBody.text(body, "prefix", true);
        String purpose = purpose(body);
        int vpcId = vpcOf(body, true, 0);
        SubnetIntent result = apply(request, draft -> {
            for (int i = 0; i < draft.subnets.size(); i++) {
                SubnetIntent existing = draft.subnets.get(i);
                if (existing.name().equals(name) && existing.vpcId() == vpcId) {
                    if (!existing.prefix().equals(prefix)) {
                        throw new IntentRejectedException(409, "name", "subnet '" + name + "' already exists with prefix " + existing.prefix());
                    }
                    // A repeated create is harmless: same subnet, purpose as now asked.
                    SubnetIntent same = new SubnetIntent(existing.id(), name, prefix, purpose, vpcId, existing.allocationId());
                    List<SubnetIntent> before = List.copyOf(draft.subnets);
                    draft.subnets.set(i, same);
                    refuseStranding(draft, before, existing, "purpose");
                    return same;
                }
            }
            SubnetIntent subnet = new SubnetIntent(draft.newId(), name, prefix, purpose, vpcId, allocationFor(draft.allocations, vpcId, prefix));
            draft.subnets.add(subnet);
            return subnet;
        });
        return ok(subnetView(result));
    }

    private ApiResponse updateSubnet(ApiRequest request) throws BadRequestException, IntentRejectedException {
        int id = pathId(request);
        JsonNode body = JsonBody.object(request);
        String name = JsonBody.text(body, "name", true);
        String prefix = JsonBody.text(body, "prefix", true);
        String purpose = purpose(body);
        SubnetIntent result = apply(request, draft -> {
            int index = indexOf(draft.subnets, SubnetIntent::id, id);
            if (index < 0) {
                throw notFound("subnet", id);
            }
            SubnetIntent old = draft.subnets.get(index);
            int vpcId = vpcOf(body, false, old.vpcId());
            SubnetIntent updated = new SubnetIntent(id, name, prefix, purpose, vpcId, allocationFor(draft.allocations, vpcId, prefix));
            List<SubnetIntent> before = List.copyOf(draft.subnets);
            draft.subnets.set(index, updated);
            refuseStranding(draft, before, old, "prefix");
            return updated;
        });
        return ok(subnetView(result));
    }

    private ApiResponse deleteIpam(ApiRequest request) throws BadRequestException, IntentRejectedException {
        String type = request.pathParameter("type");
        int id = pathId(request);
        if (!"allocation".equals(type) && !"subnet".equals(type)) {
            throw new BadRequestException("type", "must be allocation or subnet (was '" + type + "')");
        }
        apply(request, draft -> {
            if ("subnet".equals(type)) {
                int index = indexOf(draft.subnets, SubnetIntent::id, id);
                if (index < 0) {
                    throw notFound("subnet", id);
                }
                List<SubnetIntent> before = List.copyOf(draft.subnets);
                SubnetIntent removed = draft.subnets.remove(index);
                refuseStranding(draft, before, removed, "id");
                return null;
            }
            int index = indexOf(draft.allocations, AllocationIntent::id, id);
            if (index < 0) {
                throw notFound("allocation", id);
            }
            for (SubnetIntent subnet : draft.subnets) {
                if (subnet.allocationId() == id) {
                    throw new IntentRejectedException(409, "id", "allocation " + id + " still holds subnet '" + subnet.name() + "'");
                }
            }
            draft.allocations.remove(index);
            return null;
        });
        return ok(idData(id));
    }

    /**
     * Refuses (409, as a delete of an allocation that still holds subnets) a change of the
     * subnets that leaves a NAT rule's or LB service's public address outside every subnet of its
     * purpose; otherwise the validator would answer 400 naming the rule, not the subnet.
     */
    private static void refuseStranding(IntentDocument.Draft draft, List<SubnetIntent> before, SubnetIntent subnet, String field)
        throws IntentRejectedException {
        List<String> users = SubnetUsers.stranded(before, draft.subnets, draft.nats, draft.l4lbs);
        if (!users.isEmpty()) {
            throw new IntentRejectedException(409, field, "subnet " + subnet.id() + " ('" + subnet.name() + "', " + subnet.prefix()
                + ") is in use by " + String.join(", ", users));
        }
    }

    private static String purpose(JsonNode body) throws BadRequestException {
        String purpose = JsonBody.text(body, "purpose", false);
        if (purpose == null) {
            return SubnetIntent.COMMON;
        }
        String normalized = purpose.toLowerCase(Locale.ROOT).replace('_', '-');
        if (!Set.of(SubnetIntent.COMMON, SubnetIntent.NAT, SubnetIntent.LOAD_BALANCER).contains(normalized)) {
            throw new BadRequestException("purpose", "must be common, nat or load-balancer (was '" + purpose + "')");
        }
        return normalized;
    }

    /** The allocation of {@code vpcId} that holds {@code prefix}; refused when there is none. */
    private static int allocationFor(List<AllocationIntent> allocations, int vpcId, String prefix) throws IntentRejectedException {
        IpPrefix wanted = IpPrefix.parse(prefix);
        if (wanted == null || prefix.indexOf('/') < 0) {
            throw new IntentRejectedException(400, "prefix", "not a prefix (address/length): '" + prefix + "'");
        }
        for (AllocationIntent allocation : allocations) {
            IpPrefix candidate = IpPrefix.parse(allocation.prefix());
            if (allocation.vpcId() == vpcId && candidate != null && candidate.contains(wanted)) {
                return allocation.id();
            }
        }
        throw new IntentRejectedException(400, "prefix", prefix + " is inside no allocation of VPC " + vpcId);
    }
}
