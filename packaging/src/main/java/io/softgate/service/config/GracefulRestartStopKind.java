package io.softgate.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code bgp.gracefulRestart.onStop}: how stopping the service ends its BGP sessions — {@code restart}
 * (the default: closed without a NOTIFICATION, the leaves keep the node's routes for the restart
 * time, RFC 4724 §4) or {@code shutdown} (Cease / Hard Reset: the leaves withdraw them at once).
 *
 * <p>Threading: immutable.
 */
public enum GracefulRestartStopKind {
    @JsonProperty("restart") RESTART,
    @JsonProperty("shutdown") SHUTDOWN
}
