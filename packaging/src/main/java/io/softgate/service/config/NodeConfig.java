package io.softgate.service.config;

/**
 * Identity of this node in the fabric: its name, the router MAC it uses as inner source MAC
 * (RFC 9135 symmetric IRB), the VTEP address that is the outer source of everything it
 * encapsulates, and the VRF that faces the outside.
 *
 * <p>Threading: immutable.
 */
public record NodeConfig(String name, String routerMac, String vtepAddress, String publicVrf) {
}
