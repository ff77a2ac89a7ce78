package io.softgate.service.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * BGP EVPN speaker settings, validated now and handed to the speaker once it exists.
 *
 * <p>Threading: immutable.
 */
public record BgpConfig(Boolean enabled, Long asn, String routerId, String listenAddress,
                        List<BgpNeighborConfig> neighbors) {
    static final BgpConfig DISABLED = new BgpConfig(null, null, null, null, null);

    public BgpConfig {
        enabled = enabled != null && enabled;
        neighbors = neighbors == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(neighbors));
    }
}
