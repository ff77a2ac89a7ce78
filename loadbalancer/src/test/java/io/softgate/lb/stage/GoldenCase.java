package io.softgate.lb.stage;

/**
 * One row of a golden packet table: what goes in, where it must go, and the exact bytes and
 * VRF it must leave with ({@code expectedOutput} null for drops).
 *
 * <p>Threading: immutable value.
 */
record GoldenCase(String description, byte[] input, int inputVrf, int inputFlags,
                  String expectedVerdict, byte[] expectedOutput, int expectedVrf) {
    @Override
    public String toString() {
        return description;
    }
}
