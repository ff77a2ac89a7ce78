package io.softgate.evpn.forwarding.stage;

import io.softgate.core.pipeline.StageVector;

/**
 * Recognises a vector that holds a whole batch in order ({@code slot(i) == i}), as it does when
 * nothing upstream dropped or diverted a packet. A stage then walks the slots with its loop counter,
 * and the JIT checks the batch arrays' bounds once per loop instead of once per access (it cannot do
 * so for a slot loaded from the vector); the per-packet work is the same code in both loops.
 *
 * <p>Threading: stateless static functions.
 */
final class SlotOrder {
    private SlotOrder() {
    }

    /** True when {@code input}'s first {@code size} positions hold slots {@code 0 .. size - 1} in order. */
    static boolean isInOrder(StageVector input, int size) {
        for (int i = 0; i < size; i++) {
            if (input.slot(i) != i) {
                return false;
            }
        }
        return true;
    }
}
