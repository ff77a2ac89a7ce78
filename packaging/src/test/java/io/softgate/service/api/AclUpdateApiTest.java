package io.softgate.service.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code PUT /api/acl}: "unchanged" only when the whole rule is equal (a comment-only change is
 * applied), and an update that would make the rule repeat another one is refused as a create is
 * (409 "This kind of acl already exists").
 */
class AclUpdateApiTest extends ApiFixtureTest {
    int vpc;
    int ssh;
    int web;

    @BeforeEach
    void start() throws Exception {
        vpc = api.ok("POST", "/api/v2/vpc", "{\"name\":\"vpc1\"}").get("id").asInt();
        ssh = api.ok("POST", "/api/acl", "{" + acl("ssh", 22, "ssh in") + "}").get("id").asInt();
        web = api.ok("POST", "/api/acl", "{" + acl("web", 80, "web in") + "}").get("id").asInt();
    }

    private String acl(String name, int port, String comment) {
        return "\"name\":\"" + name + "\",\"action\":\"permit\",\"proto\":\"tcp\",\"srcPrefix\":\"0.0.0.0/0\","
            + "\"dstPrefix\":\"10.1.1.0/24\",\"dstPortFrom\":" + port + ",\"dstPortTo\":" + port + ",\"established\":1,"
            + "\"comment\":\"" + comment + "\",\"vpc\":{\"id\":" + vpc + "}";
    }

    private JsonNode listed(int id) throws Exception {
        for (JsonNode item : api.ok("GET", "/api/acl?vpc=" + vpc, null)) {
            if (item.get("id").asInt() == id) {
                return item;
            }
        }
        throw new AssertionError("ACL " + id + " is not listed");
    }

    @Test
    void shouldApplyAnUpdateThatChangesOnlyTheComment() throws Exception {
        long generation = api.api.store().current().generation();
        HttpResponse<String> response = api.send("PUT", "/api/acl", "{\"id\":" + ssh + "," + acl("ssh", 22, "ssh from the bastion") + "}");
        assertEquals(200, response.statusCode(), response.body());
        assertFalse(response.body().contains(NetrisServiceResources.ACL_EXISTS), response.body());
        assertEquals(generation + 1, api.api.store().current().generation());
        assertEquals("ssh from the bastion", listed(ssh).get("comment").asText());
    }

    @Test
    void shouldAnswerAnUpdateEqualInEveryFieldAsUnchanged() throws Exception {
        long generation = api.api.store().current().generation();
        HttpResponse<String> response = api.send("PUT", "/api/acl", "{\"id\":" + ssh + "," + acl("ssh", 22, "ssh in") + "}");
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains(NetrisServiceResources.ACL_EXISTS + "; unchanged"), response.body());
        assertEquals(generation, api.api.store().current().generation());
    }

    @Test
    void shouldRefuseAnUpdateThatMakesTheRuleRepeatAnotherWith409() throws Exception {
        long generation = api.api.store().current().generation();
        String file = api.intentFileText();
        HttpResponse<String> response = api.send("PUT", "/api/acl", "{\"id\":" + ssh + "," + acl("ssh", 80, "ssh in") + "}");
        assertEquals(409, response.statusCode(), response.body());
        JsonNode error = Envelope.MAPPER.readTree(response.body()).get("errors").get(0);
        assertTrue(error.get("error").asText().startsWith(NetrisServiceResources.ACL_EXISTS), error.toString());
        assertTrue(error.get("error").asText().contains("id " + web), error.toString());
        assertEquals(generation, api.api.store().current().generation());
        assertEquals(file, api.intentFileText());
        assertEquals(22, listed(ssh).get("dstPortFrom").asInt());
    }

    @Test
    void shouldNotCountTheRuleItselfAsTheRuleItWouldRepeat() throws Exception {
        HttpResponse<String> response = api.send("PUT", "/api/acl", "{\"id\":" + ssh + "," + acl("ssh-renamed", 22, "ssh in") + "}");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("ssh-renamed", listed(ssh).get("name").asText());
    }
}
