package io.softgate.service.api;

import io.softgate.service.intent.IntentRejectedException;

/**
 * Answers one route.
 *
 * <p>Threading: called on the API's single executor thread.
 */
@FunctionalInterface
public interface ApiHandler {
    ApiResponse handle(ApiRequest request) throws IntentRejectedException, BadRequestException;
}
