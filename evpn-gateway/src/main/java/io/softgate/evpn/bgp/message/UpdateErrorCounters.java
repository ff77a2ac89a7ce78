package io.softgate.evpn.bgp.message;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What RFC 7606 error handling did to received UPDATEs, one counter per outcome.
 *
 * <p>Threading: counters are atomic; written by the session's event loop, read from any thread.
 */
public final class UpdateErrorCounters {
    private final AtomicLong attributesDiscarded = new AtomicLong();
    private final AtomicLong updatesTreatedAsWithdraw = new AtomicLong();
    private final AtomicLong sessionResets = new AtomicLong();
    private final AtomicLong duplicateAttributesDiscarded = new AtomicLong();
    private final AtomicLong unknownEvpnRouteTypesSkipped = new AtomicLong();
    private final AtomicLong unrecognizedOptionalAttributes = new AtomicLong();
    private final AtomicLong unsupportedAddressFamilies = new AtomicLong();

    public void attributeDiscarded() {
        attributesDiscarded.incrementAndGet();
    }

    public void treatedAsWithdraw() {
        updatesTreatedAsWithdraw.incrementAndGet();
    }

    public void sessionReset() {
        sessionResets.incrementAndGet();
    }

    public void duplicateAttributeDiscarded() {
        duplicateAttributesDiscarded.incrementAndGet();
    }

    public void unknownEvpnRouteTypeSkipped() {
        unknownEvpnRouteTypesSkipped.incrementAndGet();
    }

    public void unrecognizedOptionalAttribute() {
        unrecognizedOptionalAttributes.incrementAndGet();
    }

    public void unsupportedAddressFamily() {
        unsupportedAddressFamilies.incrementAndGet();
    }

    public long attributesDiscarded() {
        return attributesDiscarded.get();
    }

    public long updatesTreatedAsWithdraw() {
        return updatesTreatedAsWithdraw.get();
    }

    public long sessionResets() {
        return sessionResets.get();
    }

    public long duplicateAttributesDiscarded() {
        return duplicateAttributesDiscarded.get();
    }

    public long unknownEvpnRouteTypesSkipped() {
        return unknownEvpnRouteTypesSkipped.get();
    }

    public long unrecognizedOptionalAttributes() {
        return unrecognizedOptionalAttributes.get();
    }

    public long unsupportedAddressFamilies() {
        return unsupportedAddressFamilies.get();
    }

    /** All counters by name, for metrics and state endpoints. */
    public Map<String, Long> snapshot() {
        Map<String, Long> map = new LinkedHashMap<>();
        map.put("update.attribute-discard", attributesDiscarded());
        map.put("update.treat-as-withdraw", updatesTreatedAsWithdraw());
        map.put("update.session-reset", sessionResets());
        map.put("update.duplicate-attribute-discarded", duplicateAttributesDiscarded());
        map.put("update.unknown-evpn-route-type-skipped", unknownEvpnRouteTypesSkipped());
        map.put("update.unrecognized-optional-attribute", unrecognizedOptionalAttributes());
        map.put("update.unsupported-address-family", unsupportedAddressFamilies());
        return map;
    }
}
