package io.softgate.benchmarks.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LoadSweepTest {
    @Test
    void shouldStartAtTheForwardingRateAtMaximumOfferedLoadWhenTheGatewayLostPackets() {
        LoadSweep sweep = new LoadSweep();

        assertEquals(107_000, sweep.first(627_000, 107_000, 1.0), 1e-6);
    }

    @Test
    void shouldStartAboveTheForwardingRateWhenTheGeneratorWasTheLimitAtMaximumOfferedLoad() {
        LoadSweep sweep = new LoadSweep();

        assertEquals(300_000, sweep.first(200_000, 200_000, 1.0), 1e-6);
    }

    @Test
    void shouldClimbFastWhileTheGatewayKeepsUp() {
        LoadSweep sweep = new LoadSweep();
        sweep.first(627_000, 107_000, 1.0);

        assertEquals(160_500, sweep.next(107_000, 107_000, 106_000, 1.0), 1e-6);
    }

    @Test
    void shouldClimbSlowlyWhileLosingPacketsButForwardingMore() {
        LoadSweep sweep = new LoadSweep();
        sweep.first(627_000, 107_000, 1.0);
        sweep.next(107_000, 107_000, 107_000, 1.0);

        assertEquals(200_000, sweep.next(160_000, 160_000, 140_000, 1.0), 1e-6);
    }

    @Test
    void shouldStopWhenTheForwardingRateStopsGrowing() {
        LoadSweep sweep = new LoadSweep();
        sweep.first(627_000, 200_000, 1.0);

        assertEquals(0, sweep.next(300_000, 300_000, 201_000, 1.0));
        assertEquals(201_000, sweep.bestForwardedPps(), 1e-6);
    }

    @Test
    void shouldStopWhenTheGeneratorCannotDeliverTheIntendedLoad() {
        LoadSweep sweep = new LoadSweep();
        sweep.first(200_000, 200_000, 1.0);

        assertEquals(0, sweep.next(300_000, 250_000, 250_000, 1.0));
        assertEquals(250_000, sweep.bestForwardedPps(), 1e-6);
    }

    @Test
    void shouldStopAfterTheLastAllowedStep() {
        LoadSweep sweep = new LoadSweep();
        double intended = sweep.first(10_000_000, 1_000, 1.0);
        int steps = 0;
        while (intended > 0) {
            steps++;
            intended = sweep.next(intended, (long) intended, (long) intended, 1.0);
        }

        assertEquals(LoadSweep.MAX_PACED_STEPS, steps);
    }
}
