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
        object(schemas, "TraceRequest", "count:integer", "vni:integer", "vrf:string", "sourcePrefix:string",
            "destinationPrefix:string", "protocol:string", "sourcePort:integer", "destinationPort:integer");
    }

    private static ObjectNode object(ObjectNode schemas, String name, String... fields) {
        ObjectNode schema = schemas.putObject(name).put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        for (String field : fields) {
            String[] parts = field.split(":");
            ObjectNode property = properties.putObject(parts[0]);
            switch (parts[1]) {
                case "ref" -> property.put("$ref", "#/components/schemas/Ref");
                case "array" -> property.put("type", "array").putObject("items");
                case "any" -> {
                }
                default -> property.put("type", parts[1]);
            }
        }
        return schema;
    }
}
