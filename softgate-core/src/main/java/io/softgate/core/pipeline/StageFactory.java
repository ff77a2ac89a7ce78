package io.softgate.core.pipeline;

/**
 * Creates one worker's instance of a stage (stages keep per-worker scratch state).
 *
 * <p>Threading: called by the control thread while workers are built.
 */
@FunctionalInterface
public interface StageFactory {
    Stage create(int workerId);
}
