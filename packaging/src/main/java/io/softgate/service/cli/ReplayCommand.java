package io.softgate.service.cli;

import io.softgate.service.ExitCodes;
import io.softgate.service.config.ConfigException;
import io.softgate.service.config.ConfigLoader;
import io.softgate.service.config.ConfigLoader.LoadedConfig;
import io.softgate.service.io.BackendUnavailableException;
import io.softgate.service.io.PacketIoBackends;
import io.softgate.service.io.PacketIoFactory;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code softgate replay}: runs a capture through the configured pipeline offline.
 *
 * <p>Threading: single-threaded; the worker is driven on the calling thread.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Run a capture through the pipeline offline and write what it transmits.",
        "Uses the pcap backend with one worker driven on this thread (no worker threads, a virtual",
        "clock), so the output is deterministic. Prints the counters when the input is exhausted.",
        "The io section of the configuration is ignored."})
public final class ReplayCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Configuration file (JSON).")
    private Path config;

    @Parameters(index = "0", paramLabel = "IN.pcap", description = "Capture to read (libpcap format, Ethernet).")
    private Path input;

    @Parameters(index = "1", paramLabel = "OUT.pcap", description = "Capture to write with every transmitted packet.")
    private Path output;

    @Override
    public Integer call() {
        LoadedConfig loaded;
        try {
            loaded = ConfigLoader.load(config);
        } catch (ConfigException e) {
            System.err.println("softgate: " + e.getMessage());
            return ExitCodes.CONFIGURATION_ERROR;
        }
        VirtualClock clock = new VirtualClock(0, Replay.VIRTUAL_TICK_NS);
        PacketIoFactory io;
        try {
            io = PacketIoBackends.pcap(input, output, clock);
        } catch (BackendUnavailableException e) {
            System.err.println("softgate: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
        return new Replay(loaded.config(), io, clock).run(System.out, System.err);
    }

}
