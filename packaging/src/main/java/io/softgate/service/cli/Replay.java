package io.softgate.service.cli;

import io.softgate.core.io.PacketIo;
import io.softgate.core.io.PcapPacketIo;
import io.softgate.core.pipeline.Worker;
import io.softgate.service.ExitCodes;
import io.softgate.service.config.ConfigException;
import io.softgate.service.config.DataplaneConfig;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.io.PacketIoFactory;
import io.softgate.service.features.ServiceFeatures;
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
    /** Empty duty cycles tolerated before giving up on an input that never reports its end. */
    private static final int MAX_EMPTY_CYCLES = 1_000;

    private final SoftgateConfig config;
    private final PacketIoFactory io;
    private final VirtualClock clock;

    public Replay(SoftgateConfig config, PacketIoFactory io, VirtualClock clock) {
        this.config = config;
        this.io = io;
        this.clock = clock;
    }

    /** Runs the replay; prints the counters to {@code out}, problems to {@code err}; returns the exit code. */
    public int run(PrintStream out, PrintStream err) {
        DataplaneConfig configured = config.dataplane();
        DataplaneConfig oneWorker = new DataplaneConfig(1, configured.batchSize(), configured.framesPerWorker(),
            configured.idleStrategy(), 0);
        try (ServiceFeatures features = ServiceFeatures.create(config)) {
            return run(out, err, oneWorker, features);
        }
    }

    private int run(PrintStream out, PrintStream err, DataplaneConfig oneWorker, ServiceFeatures features) {
        SoftgateRuntime runtime;
        try {
            runtime = new SoftgateRuntime(oneWorker, ServicePipeline.definition(config, features), io, clock);
        } catch (IOException | RuntimeException e) {
            err.println("softgate: cannot open the captures: " + e.getMessage());
            io.close();
            return ExitCodes.FAILURE;
        }
        long batches = 0;
        try (runtime) {
            runtime.publish(ServicePipeline.compile(config, features));
            Worker worker = runtime.workers().get(0);
            int emptyCycles = 0;
            while (emptyCycles < MAX_EMPTY_CYCLES) {
                if (worker.doWork() > 0) {
                    batches++;
                    emptyCycles = 0;
                } else if (inputExhausted(runtime)) {
                    break;
                } else {
                    emptyCycles++;
                }
            }
        } catch (ConfigException e) {
            err.println("softgate: " + e.getMessage());
            return ExitCodes.CONFIGURATION_ERROR;
        }
        out.println("replay finished after " + batches + " batch(es)");
        for (Map.Entry<String, Long> counter : runtime.counters().totals().entrySet()) {
            if (counter.getValue() != 0) {
                out.println(counter.getKey() + " " + counter.getValue());
            }
        }
        return ExitCodes.OK;
    }

    private static boolean inputExhausted(SoftgateRuntime runtime) {
        for (PacketIo port : runtime.ports()) {
            if (port instanceof PcapPacketIo pcap && !pcap.isInputExhausted()) {
                return false;
            }
        }
        return true;
    }
}
