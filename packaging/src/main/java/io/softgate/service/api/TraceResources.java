package io.softgate.service.api;

import io.softgate.service.intent.IntentStore;
import io.softgate.service.trace.TraceRejectedException;
import io.softgate.service.trace.TraceRequest;
import io.softgate.service.trace.TraceService;
import java.util.List;

/**
 * Packet trace over the API ({@code /api/softgate/trace}): {@code POST} arms a trace of the next
 * N packets matching a filter (a {@link TraceRequest}), {@code GET} returns what has been
 * recorded (per packet, each stage, its verdict and decision), {@code DELETE} stops it.
 *
 * <p>Threading: API executor thread only; {@link TraceService} is synchronized.
 */
final class TraceResources extends ResourceSupport {
    private final TraceService traces;

    TraceResources(IntentStore store, TraceService traces) {
        super(store);
        this.traces = traces;
    }

    void register(Router router) {
        router.add("POST", "/api/softgate/trace", true, "softgate",
            "Trace the next N packets matching a filter (vni, vrf, prefixes, protocol, ports)", "TraceRequest", List.of(), this::start);
        router.add("GET", "/api/softgate/trace", true, "softgate",
            "The current trace: per packet, the stages passed, each verdict and decision", null, List.of(), request -> result());
        router.add("DELETE", "/api/softgate/trace", true, "softgate", "Stop the current trace", null, List.of(), request -> {
            traces.stop();
            return result();
        });
    }

    private ApiResponse start(ApiRequest request) throws BadRequestException {
        TraceRequest trace = JsonBody.bind(JsonBody.object(request), TraceRequest.class);
        try {
            long id = traces.start(trace);
            return ok("trace " + id + " armed", Envelope.object().put("id", id));
        } catch (TraceRejectedException e) {
            throw new BadRequestException(e.field(), e.getMessage().substring(e.field().length() + 2));
        }
    }

    private ApiResponse result() {
        TraceService.Result result = traces.result();
        return ok(result == null ? Envelope.MAPPER.nullNode() : Envelope.MAPPER.valueToTree(result));
    }
}
