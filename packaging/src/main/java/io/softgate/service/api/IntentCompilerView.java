package io.softgate.service.api;

import io.softgate.service.intent.CompiledIntent;
import io.softgate.service.intent.IntentCompiler;
import io.softgate.service.intent.IntentDocument;

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
}
