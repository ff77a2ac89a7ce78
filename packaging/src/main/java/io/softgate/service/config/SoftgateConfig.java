package io.softgate.service.config;

/**
 * The whole configuration file of a softgate node, as read from JSON (schema in
 * packaging/README.md). Sections left out take their documented defaults; {@link ConfigValidator}
 * checks ranges and cross-references before anything starts.
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
    ApiConfig api) {

    /** Where state goes when the file does not say (relative paths resolve against the file's directory). */
    public static final String DEFAULT_STATE_DIR = "/var/lib/softgate";

    public SoftgateConfig {
        dataplane = dataplane == null ? DataplaneConfig.DEFAULTS : dataplane;
        io = io == null ? IoConfig.DEFAULTS : io;
        forwarding = forwarding == null ? ForwardingConfig.EMPTY : forwarding;
        bgp = bgp == null ? BgpConfig.DISABLED : bgp;
        stateDir = stateDir == null ? DEFAULT_STATE_DIR : stateDir;
        api = api == null ? ApiConfig.DISABLED : api;
    }
}
