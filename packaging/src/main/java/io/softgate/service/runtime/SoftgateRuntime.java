package io.softgate.service.runtime;

import io.netty.util.concurrent.FastThreadLocalThread;
import io.softgate.core.counter.CounterRegistry;
import io.softgate.core.io.PacketIo;
import io.softgate.core.memory.FrameMemory;
import io.softgate.core.memory.FramePool;
import io.softgate.core.pipeline.NanoClock;
import io.softgate.core.pipeline.PipelineDefinition;
import io.softgate.core.pipeline.Worker;
import io.softgate.core.snapshot.ConfigSnapshot;
import io.softgate.core.snapshot.SnapshotPublisher;
import io.softgate.core.snapshot.WorkerEpochs;
import io.softgate.service.config.DataplaneConfig;
import io.softgate.service.config.IdleStrategyKind;
import io.softgate.service.io.PacketIoFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane of one node: N workers, each with its own frame memory, pool and I/O ports, one
 * snapshot publisher and one counter registry. Built whole by the constructor (nothing is
 * allocated later), started on named threads by {@link #start()}, or driven without threads
 * through {@link #workers()} for replay and tests.
 *
 * <p>Threading: construction, {@link #publish}, {@link #start} and {@link #close} belong to one
 * control thread; counters may be read from any thread.
 */
public final class SoftgateRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SoftgateRuntime.class);

    private final DataplaneConfig dataplane;
    private final PacketIoFactory ioFactory;
    private final SnapshotPublisher publisher;
    private final CounterRegistry counters = new CounterRegistry();
    private final List<Worker> workers = new ArrayList<>();
    private final List<PacketIo> ports = new ArrayList<>();
    private final List<AgentRunner> runners = new ArrayList<>();
    /**
     * The worker threads as {@link #start()} made them: {@code AgentRunner.thread()} is set only
     * once a thread runs, and reads as a tombstone after close, so neither names nor joins use it.
     */
    private final List<Thread> threads = new ArrayList<>();
    private boolean closed;

    /**
     * Allocates every worker and opens its ports; on failure, whatever was opened is closed again
     * before the exception leaves.
     */
    public SoftgateRuntime(DataplaneConfig dataplane, PipelineDefinition definition, PacketIoFactory ioFactory,
                           NanoClock clock) throws IOException {
        this.dataplane = dataplane;
        this.ioFactory = ioFactory;
        int workerCount = dataplane.workers();
        this.publisher = new SnapshotPublisher(new WorkerEpochs(workerCount));
        try {
            for (int id = 0; id < workerCount; id++) {
                FramePool pool = new FramePool(new FrameMemory(dataplane.framesPerWorker()));
                PacketIo[] workerPorts = ioFactory.openPorts(id, pool);
                for (PacketIo port : workerPorts) {
                    ports.add(port);
                    counters.addQueue(port.counters());
                }
                Worker worker = new Worker(id, definition, workerPorts, pool, dataplane.batchSize(), publisher, clock);
                workers.add(worker);
                counters.add(worker.counters());
            }
        } catch (IOException | RuntimeException e) {
            closePorts();
            throw e;
        }
    }

    /** Publishes the next snapshot; workers adopt it at their next batch. */
    public ConfigSnapshot publish(ConfigSnapshot.Builder next) {
        return publisher.publish(next);
    }

    /** Starts one thread per worker ({@code softgate-worker-N}) with the configured idle strategy. */
    public void start() {
        if (!runners.isEmpty() || closed) {
            throw new IllegalStateException("runtime already started or closed");
        }
        ErrorHandler errors = error -> LOG.error("worker failed", error);
        for (Worker worker : workers) {
            AgentRunner runner = new AgentRunner(idleStrategy(dataplane.idleStrategy()), errors, null, worker);
            runners.add(runner);
            AgentRunner.startOnThread(runner, task -> {
                // A Netty FastThreadLocalThread: with io.udp.eventLoop = worker the worker runs its
                // socket's Netty event loop itself, and Netty's object recyclers and buffer caches
                // take their fast path only on such threads (benchmarks UdpLoopbackCost: 467 -> 168
                // bytes and 7.1 -> 2.4 us of user CPU per echoed datagram). Other backends never
                // touch Netty on the worker; for them it is a plain thread.
                Thread thread = new FastThreadLocalThread(task, worker.roleName());
                thread.setDaemon(false);
                threads.add(thread);
                return thread;
            });
        }
        LOG.info("started {} worker(s), batch {} packets, {} frames per worker, idle strategy {}",
            workers.size(), dataplane.batchSize(), dataplane.framesPerWorker(), dataplane.idleStrategy());
    }

    static IdleStrategy idleStrategy(IdleStrategyKind kind) {
        return switch (kind) {
            case BACKOFF -> new BackoffIdleStrategy();
            case BUSY_SPIN -> new BusySpinIdleStrategy();
        };
    }

    public List<Worker> workers() {
        return List.copyOf(workers);
    }

    /** Every open port of every worker (empty once closed). */
    public List<PacketIo> ports() {
        return List.copyOf(ports);
    }

    public CounterRegistry counters() {
        return counters;
    }

    public SnapshotPublisher publisher() {
        return publisher;
    }

    /** Names of the worker threads {@link #start()} made (empty before it). */
    public List<String> threadNames() {
        List<String> names = new ArrayList<>();
        for (Thread thread : threads) {
            names.add(thread.getName());
        }
        return names;
    }

    /** Stops the workers (each finishes its current batch), then closes every port. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (AgentRunner runner : runners) {
            runner.close();
        }
        awaitExit(threads);
        closePorts();
    }

    /**
     * AgentRunner.close returns once the agent's onClose has run, which is a moment before its
     * thread ends; joining here means a closed runtime has no worker thread left, not one about
     * to leave.
     */
    private static void awaitExit(List<Thread> threads) {
        boolean interrupted = false;
        for (Thread thread : threads) {
            while (thread.isAlive()) {
                try {
                    thread.join(1_000);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void closePorts() {
        for (PacketIo port : ports) {
            try {
                port.close();
            } catch (RuntimeException e) {
                LOG.warn("closing {} failed", port.name(), e);
            }
        }
        ports.clear();
        try {
            ioFactory.close();
        } catch (Exception e) {
            LOG.warn("closing the I/O backend failed", e);
        }
    }
}
