package io.softgate.core.pipeline;

/**
 * A monotonic nanosecond clock, read once per batch; tests substitute a manual one.
 *
 * <p>Threading: implementations must be safe to call from any thread.
 */
@FunctionalInterface
public interface NanoClock {
    NanoClock SYSTEM = System::nanoTime;

    long nanoTime();
}
