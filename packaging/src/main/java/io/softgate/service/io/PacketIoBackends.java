package io.softgate.service.io;

import io.softgate.service.config.ConfigLoader.LoadedConfig;
import io.softgate.service.config.IoBackendKind;
import java.nio.file.Path;

/**
 * Maps the {@code io.backend} of a configuration to the factory of that backend.
 *
 * <p>Threading: stateless.
 */
public final class PacketIoBackends {
    /** True once the UDP backend (softgate-io) is part of the service. */
    public static final boolean UDP_WIRED = false;

    private PacketIoBackends() {
    }

    /** The factory for the backend {@code loaded} names. */
    public static PacketIoFactory forConfig(LoadedConfig loaded) throws BackendUnavailableException {
        IoBackendKind backend = loaded.config().io().backend();
        throw new BackendUnavailableException("io.backend \"" + backend.configName()
            + "\" is not available in this build yet (packet I/O backends not wired)");
    }

    /** A pcap factory reading {@code input} and writing {@code output} (for {@code softgate replay}). */
    public static PacketIoFactory pcap(Path input, Path output) throws BackendUnavailableException {
        throw new BackendUnavailableException("the pcap backend is not available in this build yet (packet I/O backends not wired)");
    }
}
