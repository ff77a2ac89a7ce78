package io.softgate.service.config;

import io.softgate.service.features.AclSection;
import io.softgate.service.features.LoadBalancerSection;
import io.softgate.service.features.NatSection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The whole configuration file of a softgate node, as read from JSON (schema in
 * packaging/README.md). Sections left out take their documented defaults; {@link ConfigValidator}
 * checks ranges and cross-references before anything starts. The feature sections ({@code nat},
 * {@code loadBalancer}, {@code acl}) and {@code publicAddressRanges} are checked when they are
 * compiled ({@code io.softgate.service.features}); an absent feature section leaves the feature out.
 *
 * <p>Threading: immutable.
 */
public record SoftgateConfig(
    NodeConfig node,
    DataplaneConfig dataplane,
    IoConfig io,
    ForwardingConfig forwarding,
    BgpConfig bgp,
    String stateDir,
    List<String> publicAddressRanges,
    NatSection nat,
    LoadBalancerSection loadBalancer,
    AclSection acl,
    ApiConfig api) {

    /** Where state goes when the file does not say (relative paths resolve against the file's directory). */
    public static final String DEFAULT_STATE_DIR = "/var/lib/softgate";

    /** A configuration without feature sections (no NAT, load balancer or ACL) and without an API section. */
    public SoftgateConfig(NodeConfig node, DataplaneConfig dataplane, IoConfig io, ForwardingConfig forwarding,
                          BgpConfig bgp, String stateDir) {
        this(node, dataplane, io, forwarding, bgp, stateDir, null, null, null, null, null);
    }

    /** A configuration with feature sections and without an API section. */
    public SoftgateConfig(NodeConfig node, DataplaneConfig dataplane, IoConfig io, ForwardingConfig forwarding,
                          BgpConfig bgp, String stateDir, List<String> publicAddressRanges, NatSection nat,
                          LoadBalancerSection loadBalancer, AclSection acl) {
        this(node, dataplane, io, forwarding, bgp, stateDir, publicAddressRanges, nat, loadBalancer, acl, null);
    }

    public SoftgateConfig {
        dataplane = dataplane == null ? DataplaneConfig.DEFAULTS : dataplane;
        io = io == null ? IoConfig.DEFAULTS : io;
        forwarding = forwarding == null ? ForwardingConfig.EMPTY : forwarding;
        bgp = bgp == null ? BgpConfig.DISABLED : bgp;
        stateDir = stateDir == null ? DEFAULT_STATE_DIR : stateDir;
        publicAddressRanges = publicAddressRanges == null ? List.of()
            : Collections.unmodifiableList(new ArrayList<>(publicAddressRanges));
        api = api == null ? ApiConfig.DISABLED : api;
    }
}
