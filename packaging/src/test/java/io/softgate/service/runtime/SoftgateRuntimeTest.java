package io.softgate.service.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.concurrent.FastThreadLocalThread;
import io.softgate.core.pipeline.NanoClock;
import io.softgate.core.pipeline.Worker;
import io.softgate.service.config.DataplaneConfig;
import io.softgate.service.config.IdleStrategyKind;
import io.softgate.service.config.NodeConfig;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.pipeline.ServicePipeline;
import java.util.List;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.junit.jupiter.api.Test;

class SoftgateRuntimeTest {
    private static final DataplaneConfig TWO_WORKERS = new DataplaneConfig(2, 32, 256, IdleStrategyKind.BACKOFF, 0);
    private static final SoftgateConfig CONFIG = new SoftgateConfig(NodeConfig.of("sg", "02:00:00:00:00:01", "10.0.0.1"),
        TWO_WORKERS, null, null, null, null);

    @Test
    void shouldRunOneNamedThreadPerWorkerAndStopThemOnClose() throws Exception {
        ScriptedPacketIo.Factory io = new ScriptedPacketIo.Factory();
        SoftgateRuntime runtime = new SoftgateRuntime(TWO_WORKERS, ServicePipeline.definition(CONFIG), io, NanoClock.SYSTEM);
        try {
            runtime.publish(ServicePipeline.compile(CONFIG));
            runtime.start();
            assertEquals(List.of("softgate-worker-0", "softgate-worker-1"), runtime.threadNames());
            io.ports.get(0).inject(new byte[60], 100);
            io.ports.get(1).inject(new byte[60], 50);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (runtime.counters().total(Worker.RX_PACKETS) < 150 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(150, runtime.counters().total(Worker.RX_PACKETS));
            // The ports' own counters are exported beside the pipeline's, summed over the queues.
            assertEquals(150, runtime.counters().total("io.rx-packets"));
            assertEquals(150 * 60, runtime.counters().totals().get("io.rx-bytes"));
        } finally {
            runtime.close();
        }
        assertTrue(io.ports.get(0).closed.get() && io.ports.get(1).closed.get(), "every port is closed");
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            assertFalse(thread.getName().startsWith("softgate-worker-"), "worker thread still alive: " + thread);
        }
    }

    @Test
    void shouldRunWorkersOnNettyThreadsAndStopTheirPortsOnThemBeforeClosing() throws Exception {
        ScriptedPacketIo.Factory io = new ScriptedPacketIo.Factory();
        SoftgateRuntime runtime = new SoftgateRuntime(TWO_WORKERS, ServicePipeline.definition(CONFIG), io, NanoClock.SYSTEM);
        try {
            runtime.publish(ServicePipeline.compile(CONFIG));
            runtime.start();
            io.ports.get(0).inject(new byte[60], 10);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (runtime.counters().total(Worker.RX_PACKETS) < 10 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        } finally {
            runtime.close();
        }
        ScriptedPacketIo port = io.ports.get(0);
        // The UDP backend's worker-driven mode runs Netty on the worker: its fast paths need these threads.
        assertInstanceOf(FastThreadLocalThread.class, port.receivingThread);
        assertSame(port.receivingThread, port.workerCloseThread, "onWorkerClose ran on the worker's own thread");
        assertTrue(port.closed.get());
    }

    @Test
    void shouldRunWithoutThreadsWhenDrivenDirectly() throws Exception {
        ScriptedPacketIo.Factory io = new ScriptedPacketIo.Factory();
        try (SoftgateRuntime runtime = new SoftgateRuntime(TWO_WORKERS, ServicePipeline.definition(CONFIG), io, NanoClock.SYSTEM)) {
            runtime.publish(ServicePipeline.compile(CONFIG));
            io.ports.get(0).inject(new byte[60], 40);
            Worker worker = runtime.workers().get(0);
            assertEquals(32, worker.doWork());
            assertEquals(8, worker.doWork());
            assertEquals(0, worker.doWork());
            assertEquals(List.of(), runtime.threadNames());
            assertEquals(40, runtime.counters().total(Worker.RX_PACKETS));
        }
    }

    @Test
    void shouldCloseOpenedPortsWhenConstructionFails() {
        ScriptedPacketIo.Factory io = new ScriptedPacketIo.Factory() {
            @Override
            public io.softgate.core.io.PacketIo[] openPorts(int workerId, io.softgate.core.memory.FramePool pool) {
                if (workerId == 1) {
                    throw new IllegalStateException("port busy");
                }
                return super.openPorts(workerId, pool);
            }
        };
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
            () -> new SoftgateRuntime(TWO_WORKERS, ServicePipeline.definition(CONFIG), io, NanoClock.SYSTEM));
        assertTrue(io.ports.get(0).closed.get());
    }

    @Test
    void shouldMapIdleStrategyNamesToAgronaStrategies() {
        assertTrue(SoftgateRuntime.idleStrategy(IdleStrategyKind.BACKOFF) instanceof BackoffIdleStrategy);
        assertTrue(SoftgateRuntime.idleStrategy(IdleStrategyKind.BUSY_SPIN) instanceof BusySpinIdleStrategy);
    }

    @Test
    void shouldFormatOnlyNonZeroCounters() {
        java.util.Map<String, Long> totals = new java.util.LinkedHashMap<>();
        totals.put("worker.rx-packets", 5L);
        totals.put("worker.tx-packets", 0L);
        totals.put("worker.batches", 2L);
        assertEquals("{worker.rx-packets=5 worker.batches=2}", StatsReporter.formatNonZero(totals));
    }
}
