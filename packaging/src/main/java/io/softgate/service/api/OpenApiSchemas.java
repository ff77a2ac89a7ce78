package io.softgate.service.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The schemas of the OpenAPI document: the envelope and every request body the API reads, with
 * the field names and types the Netris clients send.
 *
 * <p>Threading: stateless.
 */
final class OpenApiSchemas {
    private OpenApiSchemas() {
    }

    static void addAll(ObjectNode schemas) {
        ObjectNode envelope = object(schemas, "Envelope", "isSuccess:boolean", "message:string", "data:any", "errors:array", "meta:object");
        envelope.putArray("required").add("isSuccess").add("message").add("data").add("errors").add("meta");
        object(schemas, "LoginForm", "user:string", "password:string", "auth_scheme_id:integer");
        object(schemas, "VpcBody", "name:string", "adminTenant:ref");
        object(schemas, "AllocationBody", "name:string", "prefix:string", "vpc:ref", "tenant:ref");
        object(schemas, "SubnetBody", "name:string", "prefix:string", "purpose:string", "vpc:ref", "tenant:ref", "sites:array", "globalRouting:boolean");
        object(schemas, "VnetBody", "name:string", "vpc:ref", "vxlanID:integer", "gateways:array", "sites:array", "tenant:ref", "tags:array", "state:string");
        object(schemas, "NatBody", "name:string", "action:string", "protocol:string", "state:string", "sourceAddress:string", "sourcePort:string",
            "destinationAddress:string", "destinationPort:string", "snatToIP:string", "snatToPool:string", "dnatToIP:string", "dnatToPort:integer",
            "site:ref", "vpc:ref", "comment:string");
        object(schemas, "L4lbBody", "name:string", "protocol:string", "ip:string", "port:integer", "status:string", "backend:array",
            "healthCheck:string", "timeOut:integer", "requestPath:string", "vpc:ref", "site:ref", "tenant:ref", "automatic:boolean", "ipFamily:string");
        object(schemas, "AclBody", "id:integer", "name:string", "action:string", "proto:string", "srcPrefix:string", "dstPrefix:string",
            "srcPortFrom:integer", "srcPortTo:integer", "dstPortFrom:integer", "dstPortTo:integer", "established:any", "reverse:any",
            "icmpType:integer", "vpc:ref", "comment:string");
        object(schemas, "RouteBody", "id:integer", "prefix:string", "nextHop:string", "description:string", "siteId:integer", "stateStatus:string", "vpc:ref", "switches:array");
        object(schemas, "IdBody", "id:integer");
        object(schemas, "IdListBody", "id:array", "tenantsID:string");
        object(schemas, "IntentDocument", "generation:integer", "nextId:integer", "siteName:string", "adminTenantName:string", "vpcs:array",
            "allocations:array", "subnets:array", "vnets:array", "nats:array", "l4lbs:array", "acls:array", "routes:array");
        object(schemas, "Ref", "id:integer", "name:string");
        // The state answers (the envelope's data of the three state endpoints).
        object(schemas, "SessionsState", "natSessions:integer", "lbConnections:integer", "matched:integer", "returned:integer",
            "limit:integer", "truncated:boolean", "sessions:array<Session>");
        object(schemas, "Session", "kind:string", "mapping:string", "protocol:string", "vpc:string", "inside:string",
            "outside:string", "remote:string", "fullNatSource:string", "tcpState:string", "expiresInSeconds:integer");
        object(schemas, "BgpState", "bgp:string", "reason:string", "routerId:string", "asn:integer", "listenPort:integer",
            "gracefulRestart:ref<BgpGracefulRestartState>", "peers:array<BgpPeerState>", "vrfs:array<BgpVrfState>", "advertisedRoutes:integer", "learned:ref<BgpLearnedPaths>",
            "counters:object");
        object(schemas, "BgpGracefulRestartState", "enabled:boolean", "onStop:string", "restartTimeSeconds:integer",
            "restarting:boolean", "shutDown:boolean");
        object(schemas, "BgpPeerState", "address:string", "remoteAsn:integer", "state:string", "establishedTransitions:integer",
            "establishedSince:string", "uptimeSeconds:integer", "pathsReceived:integer", "bestPaths:integer", "updateErrors:object");
        object(schemas, "BgpVrfState", "name:string", "l3Vni:integer", "routeDistinguisher:string", "exportRouteTargets:array<string>",
            "importRouteTargets:array<string>", "source:string", "learnedBestPaths:integer", "advertised:array<string>");
        object(schemas, "BgpLearnedPaths", "bestPaths:integer", "limit:integer", "truncated:boolean", "paths:array<BgpPath>");
        object(schemas, "BgpPath", "vrf:string", "route:string", "nextHop:string", "peer:string", "stale:boolean");
        schemas.putObject("LbHealthState").put("type", "array").putObject("items").put("$ref", "#/components/schemas/LbServiceHealth");
        object(schemas, "LbServiceHealth", "name:string", "vpc:string", "vip:string", "port:integer", "protocol:string",
            "enabled:boolean", "active:boolean", "inactiveReason:string", "healthCheck:object", "backends:array<LbBackendHealth>");
        object(schemas, "LbBackendHealth", "ip:string", "port:integer", "weight:integer", "health:string",
            "consecutiveSuccesses:integer", "consecutiveFailures:integer", "probes:integer", "lastProbe:string", "lastProbeAt:string");
        object(schemas, "TraceRequest", "count:integer", "vni:integer", "vrf:string", "sourcePrefix:string",
            "destinationPrefix:string", "protocol:string", "sourcePort:integer", "destinationPort:integer");
    }

    /** The schema of the envelope's {@code data} for the routes that document it, by path template. */
    static final java.util.Map<String, String> ANSWERS = java.util.Map.of(
        "/api/softgate/sessions", "SessionsState",
        "/api/softgate/bgp", "BgpState",
        "/api/softgate/lb-health", "LbHealthState");

    private static ObjectNode object(ObjectNode schemas, String name, String... fields) {
        ObjectNode schema = schemas.putObject(name).put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        for (String field : fields) {
            String[] parts = field.split(":");
            ObjectNode property = properties.putObject(parts[0]);
            String type = parts[1];
            if (type.startsWith("array<")) {
                String item = type.substring(6, type.length() - 1);
                ObjectNode items = property.put("type", "array").putObject("items");
                if (Character.isUpperCase(item.charAt(0))) {
                    items.put("$ref", "#/components/schemas/" + item);
                } else {
                    items.put("type", item);
                }
                continue;
            }
            if (type.startsWith("ref<")) {
                property.put("$ref", "#/components/schemas/" + type.substring(4, type.length() - 1));
                continue;
            }
            switch (type) {
                case "ref" -> property.put("$ref", "#/components/schemas/Ref");
                case "array" -> property.put("type", "array").putObject("items");
                case "any" -> {
                }
                default -> property.put("type", type);
            }
        }
        return schema;
    }
}
