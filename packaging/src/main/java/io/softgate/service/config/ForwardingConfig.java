package io.softgate.service.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Static forwarding state until BGP EVPN feeds the same tables: the VRFs this node serves, each
 * with its L3VNI and its routes.
 *
 * <p>Threading: immutable.
 */
public record ForwardingConfig(List<VrfConfig> vrfs) {
    static final ForwardingConfig EMPTY = new ForwardingConfig(null);

    public ForwardingConfig {
        vrfs = vrfs == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(vrfs));
    }
}
