package io.softgate.evpn.bgp.session;

import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or the timeout passes. */
public final class Await {
    private Await() {
    }

    public static boolean until(BooleanSupplier condition, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }
}
