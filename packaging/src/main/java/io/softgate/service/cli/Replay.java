package io.softgate.service.cli;

import io.softgate.core.pipeline.NanoClock;
import io.softgate.core.pipeline.Worker;
import io.softgate.service.ExitCodes;
import io.softgate.service.config.ConfigException;
import io.softgate.service.config.DataplaneConfig;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.io.PacketIoFactory;
import io.softgate.service.pipeline.ServicePipeline;
import io.softgate.service.runtime.SoftgateRuntime;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;

/**
 * An offline run of the service pipeline: one worker, driven by {@link Worker#doWork()} on the
 * calling thread until its input is exhausted, with a virtual clock so the result does not depend
 * on timing.
 *
 * <p>Threading: single-threaded.
 */
public final class Replay {
    /** Virtual time advanced per clock read: 1 microsecond, so ordered and repeatable. */
    static final long VIRTUAL_TICK_NS = 1_000;

    private final SoftgateConfig config;
    private final PacketIoFactory io;

    public Replay(SoftgateConfig config, PacketIoFactory io) {
        this.config = config;
        this.io = io;
    }

    /** Runs the replay; prints the counters to {@code out}, problems to {@code err}; returns the exit code. */
    public int run(PrintStream out, PrintStream err) {
        DataplaneConfig configured = config.dataplane();
        DataplaneConfig oneWorker = new DataplaneConfig(1, configured.batchSize(), configured.framesPerWorker(),
            configured.idleStrategy(), 0);
        long[] virtualNs = {0};
        NanoClock clock = () -> virtualNs[0] += VIRTUAL_TICK_NS;
        SoftgateRuntime runtime;
        try {
            runtime = new SoftgateRuntime(oneWorker, ServicePipeline.definition(config), io, clock);
        } catch (IOException | RuntimeException e) {
            err.println("softgate: cannot open the captures: " + e);
            return ExitCodes.FAILURE;
        }
        try (runtime) {
            runtime.publish(ServicePipeline.compile(config));
            Worker worker = runtime.workers().get(0);
            long batches = 0;
            while (worker.doWork() > 0) {
                batches++;
            }
            out.println("replay finished after " + batches + " batch(es)");
        } catch (ConfigException e) {
            err.println("softgate: " + e.getMessage());
            return ExitCodes.CONFIGURATION_ERROR;
        }
        for (Map.Entry<String, Long> counter : runtime.counters().totals().entrySet()) {
            if (counter.getValue() != 0) {
                out.println(counter.getKey() + " " + counter.getValue());
            }
        }
        return ExitCodes.OK;
    }
}
