package io.softgate.service.systemtest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The distribution {@code mvn package} built (target/softgate-&lt;version&gt;/), started exactly as
 * a user starts it: {@code bin/softgate run --config FILE}.
 *
 * <p>Threading: stateless.
 */
public final class SoftgateDistribution {
    /**
     * What the service logs once everything it starts (workers, features, BGP, API) runs; the
     * speaker's own "bgp speaker running: " line comes earlier, so the marker names the VTEP.
     */
    public static final String RUNNING_MARKER = " running: VTEP ";
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path home;

    private SoftgateDistribution(Path home) {
        this.home = home;
    }

    /**
     * The built distribution: the {@code softgate.distribution} system property (set by the
     * build for the system-test run), else {@code target/softgate}.
     */
    public static SoftgateDistribution built() {
        Path home = Path.of(System.getProperty("softgate.distribution", "target/softgate")).toAbsolutePath();
        if (!Files.isExecutable(home.resolve("bin/softgate"))) {
            throw new IllegalStateException("no built distribution at " + home + " (run mvn package first)");
        }
        return new SoftgateDistribution(home);
    }

    public Path home() {
        return home;
    }

    public Path launcher() {
        return home.resolve("bin/softgate");
    }

    public Path bundledConfig() {
        return home.resolve("etc/softgate.json");
    }

    /** Starts {@code bin/softgate run --config config} inside {@code namespace} (null: here), logging to {@code log}. */
    public ManagedProcess start(NetworkNamespace namespace, Path config, Path log) {
        return start(namespace, List.of(), config, log);
    }

    /**
     * As {@link #start(NetworkNamespace, Path, Path)}, with {@code prefix} in front of the launcher
     * (e.g. {@code setpriv} to drop to an unprivileged user).
     */
    public ManagedProcess start(NetworkNamespace namespace, List<String> prefix, Path config, Path log) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(launcher().toString(), "run", "--config", config.toString()));
        return ManagedProcess.start("softgate", namespace, command, log);
    }
}
