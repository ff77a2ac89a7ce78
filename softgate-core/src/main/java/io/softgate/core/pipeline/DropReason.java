package io.softgate.core.pipeline;

/**
 * Why a stage dropped a packet; implemented by an enum per stage so every drop has a named
 * counter ({@code <stage>.drop.<label>}).
 *
 * <p>Threading: implementations are immutable enums.
 */
public interface DropReason {
    /** Short kebab-case label used in counter names, e.g. {@code "ttl-expired"}. */
    String label();

    /** Position of this reason in the stage's {@link Stage#dropReasons()} array. */
    int ordinal();
}
