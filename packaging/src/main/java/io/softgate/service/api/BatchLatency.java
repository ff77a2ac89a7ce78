package io.softgate.service.api;

import io.softgate.core.pipeline.Worker;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Per-batch latency of every worker since start: each scrape moves the workers' interval
 * histograms (recorded lock-free by the workers) into one cumulative histogram.
 *
 * <p>Threading: {@link #harvest} is called by one thread at a time (the API thread).
 */
public final class BatchLatency {
    private final List<Worker> workers;
    private final Histogram cumulative = new Histogram(3);
    private Histogram[] recycled;

    public BatchLatency(List<Worker> workers) {
        this.workers = List.copyOf(workers);
        this.recycled = new Histogram[this.workers.size()];
    }

    /** The cumulative histogram after taking what the workers recorded since the last call. */
    public synchronized Histogram harvest() {
        for (int i = 0; i < workers.size(); i++) {
            Histogram interval = workers.get(i).batchLatencyNs().getIntervalHistogram(recycled[i]);
            cumulative.add(interval);
            recycled[i] = interval;
        }
        return cumulative.copy();
    }
}
