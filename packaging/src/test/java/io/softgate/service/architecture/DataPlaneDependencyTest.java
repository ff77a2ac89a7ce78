package io.softgate.service.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Issue 2, "Done when" 5: data-plane packages link no Netty, JNR, locks, streams or logging.
 * The check reads the constant pools of the compiled classes the reactor built.
 */
class DataPlaneDependencyTest {
    /**
     * What counts as data plane: code that runs per packet or holds per-packet state (stages,
     * tables, workers, packet memory, flyweights, counters, snapshots, PacketIo contracts). Every
     * package under these roots is data plane unless one of its segments is listed in
     * {@link #CONTROL_PLANE_SEGMENTS}.
     */
    static final List<String> DATA_PLANE_ROOTS = List.of(
        "io/softgate/core/",
        "io/softgate/acl/",
        "io/softgate/nat/",
        "io/softgate/lb/",
        "io/softgate/evpn/forwarding/",
        "io/softgate/evpn/vxlan/");

    /**
     * Package segments that mark control-plane code inside those roots: BGP, REST API, health
     * checks, control loops, and the intent models and compilers that turn configuration into
     * tables ("control plane compiles, data plane executes"). That code runs on control threads
     * and may use Netty, logging and streams; the tables it builds live in data-plane packages.
     */
    static final Set<String> CONTROL_PLANE_SEGMENTS = Set.of("bgp", "control", "api", "health", "model", "compile", "compiler");

    /** Type-name prefixes the data plane must never link. */
    static final List<String> FORBIDDEN_PREFIXES = List.of(
        "io/netty/",
        "jnr/",
        "java/util/concurrent/locks/",
        "java/util/stream/",
        "org/slf4j/",
        "java/util/logging/",
        "java/lang/System$Logger");

    /**
     * Reviewed exceptions, each "class -> linked type or synchronized method": control-thread code
     * that lives beside the data plane in the same package.
     */
    static final Map<String, String> REVIEWED_EXCEPTIONS = Map.ofEntries(
        // awaitAdoption() parks the control thread while workers move to a new epoch; workers
        // only read the volatile snapshot reference and never touch this path.
        Map.entry("io/softgate/core/snapshot/SnapshotPublisher -> java/util/concurrent/locks/LockSupport",
            "control thread waits for the RCU grace period"),
        // publish() serialises control threads; workers never call it.
        Map.entry("io/softgate/core/snapshot/SnapshotPublisher -> synchronized publish",
            "control threads publishing snapshots one at a time"),
        // replace() is publish() of one swapped table under the same monitor; workers never call it.
        Map.entry("io/softgate/core/snapshot/SnapshotPublisher -> synchronized replace",
            "control threads replacing one table of the snapshot one at a time"),
        // The NAT port space is shared with the workers lock-free; these two methods are
        // documented "control thread only" (compile time) and serialise compiles, never a worker.
        Map.entry("io/softgate/nat/session/PortSpace -> synchronized reservePorts", "control thread only (compile)"),
        Map.entry("io/softgate/nat/session/PortSpace -> synchronized prepareBlocks", "control thread only (compile)"));

    @Test
    void shouldFindNoForbiddenReferenceInDataPlanePackages() throws IOException {
        List<String> violations = new ArrayList<>();
        Map<String, Integer> scannedPerRoot = new TreeMap<>();
        for (CompiledClasses.ClassFile classFile : CompiledClasses.load("io/softgate/")) {
            String root = dataPlaneRoot(classFile.internalName());
            if (root == null) {
                continue;
            }
            scannedPerRoot.merge(root, 1, Integer::sum);
            ClassFileReader.LinkedTypes linked = ClassFileReader.read(classFile.bytes());
            for (String type : linked.referencedTypes()) {
                if (isForbidden(type)) {
                    record(violations, linked.className() + " -> " + type);
                }
            }
            for (String method : linked.synchronizedMethods()) {
                record(violations, linked.className() + " -> synchronized " + method);
            }
        }
        assertTrue(scannedPerRoot.getOrDefault("io/softgate/core/", 0) > 20,
            "expected the compiled softgate-core classes on the test class path, scanned: " + scannedPerRoot);
        assertEquals(List.of(), violations, "data-plane classes link forbidden types (scanned " + scannedPerRoot + ")");
    }

    private static void record(List<String> violations, String violation) {
        if (!REVIEWED_EXCEPTIONS.containsKey(violation)) {
            violations.add(violation);
        }
    }

    static boolean isForbidden(String type) {
        for (String prefix : FORBIDDEN_PREFIXES) {
            if (type.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** The data-plane root containing {@code internalName}, or null for control-plane or other code. */
    static String dataPlaneRoot(String internalName) {
        for (String root : DATA_PLANE_ROOTS) {
            if (internalName.startsWith(root)) {
                String[] segments = internalName.split("/");
                for (int i = 0; i < segments.length - 1; i++) {
                    if (CONTROL_PLANE_SEGMENTS.contains(segments[i])) {
                        return null;
                    }
                }
                return root;
            }
        }
        return null;
    }
}
