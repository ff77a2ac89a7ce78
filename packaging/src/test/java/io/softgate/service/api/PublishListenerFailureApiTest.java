package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softgate.evpn.forwarding.table.ForwardingTables;
import io.softgate.service.intent.CompiledIntent;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * Once the composer has published a change's snapshot, a failing listener (the EVPN service's VRF
 * hook) must not turn the change into an error: the answer, the applied intent, the file and the
 * data plane all say the change happened.
 */
class PublishListenerFailureApiTest extends ApiFixtureTest {
    @Test
    void shouldAnswerAChangeWhoseSnapshotIsPublishedAsAppliedWhenTheVrfListenerThrows() throws Exception {
        int vpc = api.ok("POST", "/api/v2/vpc", "{\"name\":\"vpc1\"}").get("id").asInt();
        api.composer.onVrfsChanged(() -> {
            throw new IllegalStateException("VRF listener broken");
        });
        long generation = api.api.store().current().generation();
        HttpResponse<String> response = api.send("POST", "/api/v2/vnet", "{\"name\":\"tier\",\"vxlanID\":5001,"
            + "\"gateways\":[{\"prefix\":\"10.1.1.1/24\"}],\"vpc\":{\"id\":" + vpc + "}}");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(generation + 1, api.api.store().current().generation());
        assertTrue(api.intentFileText().contains("\"tier\""), "the change is persisted");
        assertEquals(generation + 1, api.runtime.publisher().current().get(CompiledIntent.SLOT).generation(), "and published");
        assertTrue(api.runtime.publisher().current().get(ForwardingTables.SLOT).vrfIndex("vpc1") >= 0, "the VPC's VRF runs");
    }
}
