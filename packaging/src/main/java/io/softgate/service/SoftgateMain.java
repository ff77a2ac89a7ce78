package io.softgate.service;

import io.softgate.service.cli.CdsTrainingCommand;
import io.softgate.service.cli.ReplayCommand;
import io.softgate.service.cli.RunCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code softgate} command: parses the command line and runs a subcommand.
 *
 * <p>Threading: runs on the main thread; subcommands start their own threads.
 */
@Command(name = "softgate",
    mixinStandardHelpOptions = true,
    versionProvider = SoftgateMain.Version.class,
    description = "Softgate: a VXLAN/EVPN data-plane gateway: routing between VRFs, NAT44, L4 load balancing and ACLs.",
    subcommands = {RunCommand.class, ReplayCommand.class, CdsTrainingCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:stopped cleanly (also after SIGTERM or SIGINT)",
        "1:run-time failure (I/O could not be opened, backend missing, internal error)",
        "2:invalid configuration file or command line; nothing was started"},
    footer = {"", "Examples:",
        "  softgate run --config etc/softgate.json",
        "  softgate replay --config etc/softgate.json in.pcap out.pcap"})
public final class SoftgateMain implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("run")) {
            io.softgate.service.cli.StartupTimeline.mark("main entered (JVM started)");
            // Issue 9, restart time: the service's own command line skips picocli (see RunCommand.runDirectly).
            if (args.length == 3 && (args[1].equals("--config") || args[1].equals("-c")) && !args[2].startsWith("-")) {
                System.exit(RunCommand.runDirectly(java.nio.file.Path.of(args[2])));
            }
        }
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of {@link #main}). */
    public static int execute(String... args) {
        CommandLine commandLine = new CommandLine(new SoftgateMain());
        return commandLine.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (run or replay)");
    }

    /**
     * The version from the jar manifest ({@code development} when run from classes).
     *
     * <p>Threading: stateless.
     */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = SoftgateMain.class.getPackage().getImplementationVersion();
            return new String[] {"softgate " + (version == null ? "development" : version)};
        }
    }
}
