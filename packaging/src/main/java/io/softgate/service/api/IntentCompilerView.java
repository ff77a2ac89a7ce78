package io.softgate.service.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.intent.CompiledIntent;
import io.softgate.service.intent.IntentCompiler;
import io.softgate.service.intent.IntentDocument;
import io.softgate.service.intent.VrfNumbering;
import java.util.Set;

/**
 * The resolved form of the current document for the read-only state endpoints, cached per
 * generation.
 *
 * <p>Threading: API executor thread only.
 */
final class IntentCompilerView {
    private static IntentDocument cachedFor;
    private static CompiledIntent cached;

    private IntentCompilerView() {
    }

    static synchronized CompiledIntent of(IntentDocument document) {
        if (cachedFor != document) {
            cached = IntentCompiler.resolve(document);
            cachedFor = document;
        }
        return cached;
    }

    /**
     * The answer of {@code GET /api/softgate/intent}: the resolved intent, each NAT rule and LB
     * service with {@code active} and {@code inactiveReason} as {@code /api/v2/nat} and
     * {@code /api/v2/l4lb} report them (the compilers receive every rule; an inactive one they
     * skip or compile off): active when its VPC has a VRF, {@link VrfNumbering#activeVrfs} with
     * {@code file}, the node's configuration file.
     */
    static JsonNode json(IntentDocument document, SoftgateConfig file) {
        CompiledIntent intent = of(document);
        ObjectNode tree = Envelope.MAPPER.valueToTree(intent);
        Set<String> active = VrfNumbering.activeVrfs(file, intent);
        ArrayNode nats = (ArrayNode) tree.get("natRules");
        for (int i = 0; i < nats.size(); i++) {
            CompiledIntent.NatRule rule = intent.natRules().get(i);
            NetrisServiceResources.activity((ObjectNode) nats.get(i), active.contains(rule.vrf()), rule.enabled());
        }
        ArrayNode services = (ArrayNode) tree.get("lbServices");
        for (int i = 0; i < services.size(); i++) {
            CompiledIntent.LbService service = intent.lbServices().get(i);
            NetrisServiceResources.activity((ObjectNode) services.get(i), active.contains(service.vrf()), service.enabled());
        }
        return tree;
    }
}
