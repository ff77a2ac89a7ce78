package io.softgate.service.runtime;

import io.softgate.core.counter.CounterRegistry;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs one line of non-zero counters (totals over all workers) at a fixed interval, on its own
 * daemon thread {@code softgate-stats}.
 *
 * <p>Threading: started and closed by the control thread; reads counters without blocking workers.
 */
public final class StatsReporter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("io.softgate.stats");

    private final CounterRegistry counters;
    private final ScheduledExecutorService executor;

    private StatsReporter(CounterRegistry counters, long intervalSeconds) {
        this.counters = counters;
        if (intervalSeconds <= 0) {
            this.executor = null;
            return;
        }
        this.executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "softgate-stats");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleAtFixedRate(this::report, intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
    }

    /** Starts reporting every {@code intervalSeconds}; 0 means never (returns a reporter that does nothing). */
    public static StatsReporter start(CounterRegistry counters, int intervalSeconds) {
        return new StatsReporter(counters, intervalSeconds);
    }

    private void report() {
        LOG.info("counters {}", formatNonZero(counters.totals()));
    }

    /** {@code name=value} pairs of the non-zero counters, in layout order; {@code {}} when all are zero. */
    public static String formatNonZero(Map<String, Long> totals) {
        StringBuilder line = new StringBuilder("{");
        for (Map.Entry<String, Long> entry : totals.entrySet()) {
            if (entry.getValue() != 0) {
                if (line.length() > 1) {
                    line.append(' ');
                }
                line.append(entry.getKey()).append('=').append(entry.getValue());
            }
        }
        return line.append('}').toString();
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
