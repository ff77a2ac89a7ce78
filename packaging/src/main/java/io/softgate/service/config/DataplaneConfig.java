package io.softgate.service.config;

/**
 * Shape of the data-plane runtime: how many workers, how many packets per batch, how many
 * preallocated frames each worker owns, how idle workers wait, and how often counters are logged.
 *
 * <p>Threading: immutable.
 */
public record DataplaneConfig(
    Integer workers,
    Integer batchSize,
    Integer framesPerWorker,
    IdleStrategyKind idleStrategy,
    Integer statsIntervalSeconds) {

    public static final int DEFAULT_WORKERS = 1;
    public static final int DEFAULT_BATCH_SIZE = 64;
    public static final int DEFAULT_FRAMES_PER_WORKER = 4096;
    public static final int DEFAULT_STATS_INTERVAL_SECONDS = 10;
    public static final int MAX_WORKERS = 64;
    public static final int MAX_BATCH_SIZE = 1024;
    public static final int MAX_FRAMES_PER_WORKER = 1 << 19; // 1 GiB of 2 KiB frames: FrameMemory limit

    static final DataplaneConfig DEFAULTS = new DataplaneConfig(null, null, null, null, null);

    public DataplaneConfig {
        workers = workers == null ? DEFAULT_WORKERS : workers;
        batchSize = batchSize == null ? DEFAULT_BATCH_SIZE : batchSize;
        framesPerWorker = framesPerWorker == null ? DEFAULT_FRAMES_PER_WORKER : framesPerWorker;
        idleStrategy = idleStrategy == null ? IdleStrategyKind.BACKOFF : idleStrategy;
        statsIntervalSeconds = statsIntervalSeconds == null ? DEFAULT_STATS_INTERVAL_SECONDS : statsIntervalSeconds;
    }
}
