package io.softgate.service.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.softgate.service.intent.IntentDocument;
import io.softgate.service.intent.IntentRejectedException;
import io.softgate.service.intent.IntentStore;
import io.softgate.service.intent.VpcIntent;
import java.util.List;

/**
 * What the resource classes share: the intent store, generation handling ({@code If-Match} in,
 * {@code ETag} out) and the small JSON views of nested objects (site, tenant, VPC reference).
 *
 * <p>Threading: used on the API executor thread only.
 */
class ResourceSupport {
    protected final IntentStore store;

    ResourceSupport(IntentStore store) {
        this.store = store;
    }

    protected IntentDocument document() {
        return store.current();
    }

    /** The generation named by {@code If-Match} ({@code "12"}, {@code W/"12"} or {@code 12}), or null. */
    static Long expectedGeneration(ApiRequest request) throws BadRequestException {
        String header = request.header("if-match");
        if (header == null || header.isBlank() || header.strip().equals("*")) {
            return null;
        }
        String value = header.strip();
        if (value.startsWith("W/")) {
            value = value.substring(2);
        }
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        if (value.length() > 18 || !AsciiDigits.only(value)) {
            throw new BadRequestException("If-Match", "must be a generation number such as \"12\"");
        }
        return Long.parseLong(value);
    }

    protected ApiResponse withGeneration(ApiResponse response) {
        return response.header("ETag", "\"" + store.current().generation() + "\"");
    }

    protected ApiResponse ok(JsonNode data) {
        return withGeneration(Envelope.ok(data));
    }

    protected ApiResponse ok(String message, JsonNode data) {
        return withGeneration(Envelope.ok(message, data));
    }

    protected <T> T apply(ApiRequest request, IntentStore.Change<T> change) throws IntentRejectedException, BadRequestException {
        return store.apply(expectedGeneration(request), change).result();
    }

    protected static ObjectNode idData(int id) {
        return Envelope.object().put("id", id);
    }

    protected ObjectNode vpcRef(int vpcId) {
        VpcIntent vpc = document().vpc(vpcId);
        ObjectNode node = Envelope.object().put("id", vpcId);
        node.put("name", vpc == null ? null : vpc.name());
        if (vpc != null) {
            node.put("isSystem", vpc.system());
            node.put("isDefault", false);
        }
        return node;
    }

    protected ObjectNode siteRef() {
        return Envelope.object().put("id", IntentDocument.SITE_ID).put("name", document().siteName());
    }

    protected ObjectNode tenantRef() {
        return Envelope.object().put("id", IntentDocument.ADMIN_TENANT_ID).put("name", document().adminTenantName());
    }

    /** The VPC id of a body ({@code vpc.id}); must name an existing VPC. */
    protected int vpcOf(JsonNode body, boolean required, int fallback) throws IntentRejectedException {
        Integer id;
        try {
            id = JsonBody.nestedId(body, "vpc", required);
        } catch (BadRequestException e) {
            throw new IntentRejectedException(400, e.field(), e.reason());
        }
        if (id == null) {
            return fallback;
        }
        if (document().vpc(id) == null) {
            throw new IntentRejectedException(400, "vpc.id", "unknown VPC " + id);
        }
        return id;
    }

    protected static IntentRejectedException notFound(String kind, int id) {
        return new IntentRejectedException(404, "id", "no " + kind + " with id " + id);
    }

    protected static int pathId(ApiRequest request) throws BadRequestException {
        String text = request.pathParameter("id");
        if (text == null || text.length() > 10 || !AsciiDigits.only(text)) {
            throw new BadRequestException("id", "must be an integer id (was '" + text + "')");
        }
        long id = Long.parseLong(text);
        if (id > Integer.MAX_VALUE) {
            throw new BadRequestException("id", "out of range");
        }
        return (int) id;
    }

    protected static <E> int indexOf(List<E> list, java.util.function.ToIntFunction<E> id, int wanted) {
        for (int i = 0; i < list.size(); i++) {
            if (id.applyAsInt(list.get(i)) == wanted) {
                return i;
            }
        }
        return -1;
    }
}
