package io.softgate.service.evpn;

import io.softgate.evpn.forwarding.model.ForwardingIntent;
import io.softgate.evpn.forwarding.model.NextHop;
import io.softgate.evpn.forwarding.model.RouteIntent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recompiles the forwarding tables when learned routes change, off the BGP event loop: the first
 * change of a burst schedules one compile {@code coalesceMillis} later, and every change until
 * then rides along, so a table of 10,000 routes arriving in one second costs a handful of
 * compiles. Each compile takes the learned routes, drops those the forwarding compiler would
 * reject (a second Router's MAC for a (VRF, VTEP) already known, duplicates), and hands them to
 * {@code publisher}, which compiles them together with the static configuration and publishes one
 * snapshot (atomically replacing the previous one).
 *
 * <p>Threading: {@link #requestCompile()} may be called from any thread and never blocks; compiles
 * run one at a time on the thread {@code softgate-evpn-compile}.
 */
public final class LearnedRouteCompiler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LearnedRouteCompiler.class);

    /**
     * Compiles the static configuration plus {@code learned} and publishes the snapshot.
     *
     * <p>Threading: called on the compile thread only, one call at a time.
     */
    @FunctionalInterface
    public interface Publisher {
        void publish(List<RouteIntent> learned) throws Exception;
    }

    /** Up to this many learned routes are listed in the log line of a publish. */
    private static final int LOGGED_ROUTES = 16;

    private final LearnedRoutes routes;
    private final Supplier<ForwardingIntent> staticIntent;
    private final Publisher publisher;
    private final long coalesceMillis;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicLong compiles = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile long lastCompiledVersion = -1;
    private volatile int lastCompiledRoutes;

    /**
     * @param staticIntent the current static intent (configuration, later the API): learned routes
     *                     are checked against it, and {@code publisher} compiles them with it
     */
    public LearnedRouteCompiler(LearnedRoutes routes, Supplier<ForwardingIntent> staticIntent, Publisher publisher,
                                long coalesceMillis) {
        this.routes = routes;
        this.staticIntent = staticIntent;
        this.publisher = publisher;
        this.coalesceMillis = coalesceMillis;
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "softgate-evpn-compile");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Schedules a compile unless one is already pending; does nothing once closed. */
    public void requestCompile() {
        if (!executor.isShutdown() && scheduled.compareAndSet(false, true)) {
            try {
                executor.schedule(this::compileNow, coalesceMillis, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // closed meanwhile: the service is stopping and nothing will be published again
            }
        }
    }

    private void compileNow() {
        // Clear the flag first: a change arriving during this compile schedules the next one.
        scheduled.set(false);
        long version = routes.version();
        if (version == lastCompiledVersion) {
            return;
        }
        List<RouteIntent> usable = usableRoutes(staticIntent.get(), routes.snapshot());
        long startNs = System.nanoTime();
        try {
            publisher.publish(usable);
            lastCompiledVersion = version;
            lastCompiledRoutes = usable.size();
            compiles.incrementAndGet();
            LOG.info("published forwarding tables with {} learned route(s) in {} ms{}", usable.size(),
                (System.nanoTime() - startNs) / 1_000_000, usable.size() <= LOGGED_ROUTES ? ": " + describe(usable) : "");
        } catch (Exception e) {
            failures.incrementAndGet();
            LOG.warn("learned routes not published (the previous tables stay): {}", e.getMessage());
        }
    }

    /**
     * The learned routes the forwarding compiler accepts: the first Router's MAC seen for a
     * (VRF, VTEP) wins, static routes' MACs first (LAB.md: a second MAC for one VTEP and L3VNI
     * rewrites the hypervisor's neighbour entry and blackholes the VTEP), and a route learned
     * twice (type-2 and type-5 for one host) is kept once.
     */
    static List<RouteIntent> usableRoutes(ForwardingIntent staticIntent, List<RouteIntent> learned) {
        Map<String, Long> routerMacByVrfAndVtep = new HashMap<>();
        for (RouteIntent route : staticIntent.routes()) {
            if (route.nextHop() instanceof NextHop.RemoteVtep remote) {
                routerMacByVrfAndVtep.putIfAbsent(route.vrf() + "/" + remote.vtep().value(), remote.routerMac().value());
            }
        }
        Set<String> vrfs = new HashSet<>();
        staticIntent.vrfs().forEach(vrf -> vrfs.add(vrf.name()));
        Set<RouteIntent> seen = new HashSet<>();
        List<RouteIntent> usable = new ArrayList<>(learned.size());
        for (RouteIntent route : learned) {
            if (!vrfs.contains(route.vrf()) || !(route.nextHop() instanceof NextHop.RemoteVtep remote)
                || !isUnicast(remote.vtep().value()) || remote.vtep().equals(staticIntent.node().vtepAddress())
                || remote.routerMac().isMulticast() || remote.routerMac().value() == 0) {
                continue;
            }
            Long mac = routerMacByVrfAndVtep.putIfAbsent(route.vrf() + "/" + remote.vtep().value(),
                remote.routerMac().value());
            if (mac != null && mac != remote.routerMac().value()) {
                continue;
            }
            if (seen.add(route)) {
                usable.add(route);
            }
        }
        return usable;
    }

    private static String describe(List<RouteIntent> routes) {
        StringBuilder text = new StringBuilder();
        for (RouteIntent route : routes) {
            NextHop.RemoteVtep remote = (NextHop.RemoteVtep) route.nextHop();
            text.append(text.length() == 0 ? "" : ", ").append(route.vrf()).append(' ').append(route.prefix())
                .append(" via ").append(remote.vtep()).append(" rmac ").append(remote.routerMac());
        }
        return text.toString();
    }

    private static boolean isUnicast(int address) {
        int firstOctet = address >>> 24;
        return address != 0 && firstOctet != 127 && firstOctet < 224;
    }

    public long compileCount() {
        return compiles.get();
    }

    public long failureCount() {
        return failures.get();
    }

    /** Learned routes in the last published tables. */
    public int publishedRouteCount() {
        return lastCompiledRoutes;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
