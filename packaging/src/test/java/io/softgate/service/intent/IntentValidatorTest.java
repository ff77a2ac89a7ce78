package io.softgate.service.intent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The validator answers every document with a list of problems naming the field, never with an
 * exception: a {@code PUT /api/softgate/config} whose document lacks a field must get a 400, not a
 * 500.
 */
class IntentValidatorTest {
    /** Binds as the API's config endpoint does: a null for a primitive does not bind (answered 400 there). */
    private static final ObjectMapper JSON = new ObjectMapper()
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** One object of every kind, every enumerated field set: a document the validator accepts. */
    static IntentDocument everyKind() {
        return new IntentDocument(1, 14, "site", "Admin",
            List.of(new VpcIntent(1, IntentDocument.SYSTEM_VPC_NAME, IntentDocument.ADMIN_TENANT_ID, true),
                new VpcIntent(5, "vpc1", IntentDocument.ADMIN_TENANT_ID, false)),
            List.of(new AllocationIntent(2, "public", "203.0.113.0/24", 1), new AllocationIntent(6, "vpc1-cidr", "10.1.0.0/16", 5)),
            List.of(new SubnetIntent(3, "snat", "203.0.113.10/32", SubnetIntent.NAT, 1, 2),
                new SubnetIntent(4, "vip", "203.0.113.20/32", SubnetIntent.LOAD_BALANCER, 1, 2),
                new SubnetIntent(13, "pf", "203.0.113.11/32", SubnetIntent.NAT, 1, 2)),
            List.of(new VnetIntent(7, "tier1", 5, 5001, List.of("10.1.1.1/24"))),
            List.of(new NatIntent(8, "snat1", "SNAT", "ALL", "10.1.0.0/16", null, "0.0.0.0/0", null, "203.0.113.10/32",
                    null, null, null, "enabled", 5),
                new NatIntent(9, "pf1", "DNAT", "TCP", "0.0.0.0/0", null, "203.0.113.11/32", "80", null, null,
                    "10.1.1.5/32", 8080, "enabled", 5)),
            List.of(new L4lbIntent(10, "web", "TCP", "203.0.113.20", 80, "enable", List.of(new LbBackendIntent("10.1.1.6", 80)),
                "TCP", 2, null, 5)),
            List.of(new AclIntent(11, "ssh", "permit", "tcp", "0.0.0.0/0", "10.1.1.0/24", 1, 65535, 22, 22, true, false, null, 5,
                "ssh in")),
            List.of(new StaticRouteIntent(12, "192.168.0.0/16", "10.1.1.254", 5, "via appliance")));
    }

    @Test
    void shouldAcceptTheDocumentWithOneObjectOfEveryKind() {
        assertEquals(List.of(), IntentValidator.validate(everyKind()));
    }

    @Test
    void shouldAnswerRequiredNamingTheFieldForEveryNullEnumeratedField() throws Exception {
        String[][] cases = {
            {"subnets", "0", "purpose", "subnet[snat].purpose"},
            {"nats", "0", "action", "nat[snat1].action"},
            {"nats", "1", "action", "nat[pf1].action"},
            {"nats", "0", "protocol", "nat[snat1].protocol"},
            {"nats", "1", "protocol", "nat[pf1].protocol"},
            {"l4lbs", "0", "protocol", "l4lb[web].protocol"},
            {"l4lbs", "0", "status", "l4lb[web].status"},
            {"l4lbs", "0", "healthCheck", "l4lb[web].healthCheck"},
            {"acls", "0", "action", "acl[ssh].action"},
            {"acls", "0", "proto", "acl[ssh].proto"},
        };
        for (String[] c : cases) {
            IntentDocument document = withNull(everyKind(), c[0], Integer.parseInt(c[1]), c[2]);
            List<IntentError> errors = IntentValidator.validate(document);
            assertTrue(errors.contains(new IntentError(c[3], "required")), c[3] + ": " + errors);
        }
    }

    @Test
    void shouldNeverThrowWhateverFieldOfWhateverObjectIsNull() throws Exception {
        JsonNode tree = JSON.valueToTree(everyKind());
        int documents = 0;
        for (Iterator<String> lists = tree.fieldNames(); lists.hasNext(); ) {
            String list = lists.next();
            if (!tree.get(list).isArray()) {
                continue;
            }
            for (int index = 0; index < tree.get(list).size(); index++) {
                List<String> fields = new ArrayList<>();
                tree.get(list).get(index).fieldNames().forEachRemaining(fields::add);
                for (String field : fields) {
                    IntentDocument document;
                    try {
                        document = withNull(everyKind(), list, index, field);
                    } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
                        continue; // does not bind: the config endpoint answers 400 "not an intent document"
                    }
                    IntentValidator.validate(document); // throws on failure
                    documents++;
                }
            }
        }
        assertTrue(documents > 40, "documents validated: " + documents);
    }

    /** {@code document} with {@code list[index].field} set to JSON null, bound again. */
    private static IntentDocument withNull(IntentDocument document, String list, int index, String field) throws Exception {
        JsonNode tree = JSON.valueToTree(document);
        ((ObjectNode) tree.get(list).get(index)).putNull(field);
        return JSON.treeToValue(tree, IntentDocument.class);
    }
}
