package io.softgate.nat.compile;

import io.softgate.nat.session.PortSpace;

/**
 * A public address the NAT owns and its port space (one per address, kept across config
 * generations by {@link ExternalAddressRegistry} so live mappings keep their ports).
 *
 * <p>Threading: immutable reference holder; the port space is lock-free shared state.
 */
public final class ExternalAddress {
    public final int address;
    public final int index;
    public final PortSpace ports;

    ExternalAddress(int address, int index, PortSpace ports) {
        this.address = address;
        this.index = index;
        this.ports = ports;
    }
}
