package io.softgate.service.intent;

/**
 * One backend of an L4 load-balancer service.
 *
 * <p>Threading: immutable.
 */
public record LbBackendIntent(String ip, int port) {
}
