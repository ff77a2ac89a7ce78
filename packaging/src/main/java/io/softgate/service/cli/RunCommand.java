package io.softgate.service.cli;

import io.softgate.core.pipeline.NanoClock;
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

/**
 * {@code softgate run}: starts the service in the foreground until SIGTERM or SIGINT.
 *
 * <p>Threading: runs on the main thread, which waits while workers run on their own threads.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run the softgate in the foreground until SIGTERM or SIGINT.",
        "Logs go to standard output. SIGTERM or SIGINT stops it cleanly: workers finish their batch,",
        "packet I/O is closed, the final counters are logged, and the exit code is 0."})
public final class RunCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
        description = "Configuration file (JSON; schema in the distribution's README).")
    private Path config;

    /** For picocli. */
    public RunCommand() {
    }

    /**
     * The restart fast path ({@link io.softgate.service.SoftgateMain#main}): {@code run --config FILE}
     * exactly, without picocli, whose reflective model costs about a quarter of a second of CPU at
     * start and whose classes (Java 5 class files) the launcher's CDS archive cannot hold.
     */
    public static Integer runDirectly(Path config) {
        RunCommand command = new RunCommand();
        command.config = config;
        return command.call();
    }

    private static boolean mayHaveSessionStores(Path file) {
        try {
            String text = java.nio.file.Files.readString(file);
            return text.contains("\"nat\"") || text.contains("\"loadBalancer\"");
        } catch (java.io.IOException | RuntimeException e) {
            return false; // the loader reports it
        }
    }

    @Override
    public Integer call() {
        StartupTimeline.mark("command line parsed");
        // The session stores' library needs a second or more of class loading and initialisation in
        // a fresh JVM; it starts now, beside the configuration parsing, instead of after it (only
        // when the file looks like it has a nat or loadBalancer section: the stores need one).
        if (mayHaveSessionStores(config)) {
            io.softgate.service.state.SessionStore.warmUpInBackground();
        }
        LoadedConfig loaded;
        try {
            loaded = ConfigLoader.load(config);
            StartupTimeline.mark("configuration loaded");
        } catch (ConfigException e) {
            System.err.println("softgate: " + e.getMessage());
            return ExitCodes.CONFIGURATION_ERROR;
        }
        PacketIoFactory io;
        try {
            io = PacketIoBackends.forConfig(loaded);
        } catch (BackendUnavailableException e) {
            System.err.println("softgate: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
        ServiceProcess service = new ServiceProcess(loaded, io, NanoClock.SYSTEM);
        return service.runUntilSignalled();
    }
}
