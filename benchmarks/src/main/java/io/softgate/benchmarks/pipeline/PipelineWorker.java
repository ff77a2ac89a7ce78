package io.softgate.benchmarks.pipeline;

import io.softgate.core.pipeline.Worker;

/**
 * A benchmark worker and the replay queue that feeds it.
 *
 * <p>Threading: both belong to the one thread that calls {@code worker().doWork()}.
 */
public record PipelineWorker(Worker worker, ReplayPacketIo io) {
}
