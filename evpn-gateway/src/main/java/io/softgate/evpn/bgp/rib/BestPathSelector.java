package io.softgate.evpn.bgp.rib;

import io.softgate.evpn.bgp.attribute.AsPathAttribute;
import io.softgate.evpn.bgp.attribute.ClusterListAttribute;
import io.softgate.evpn.bgp.attribute.LocalPreferenceAttribute;
import io.softgate.evpn.bgp.attribute.MultiExitDiscriminatorAttribute;
import io.softgate.evpn.bgp.attribute.OriginAttribute;
import io.softgate.evpn.bgp.attribute.OriginatorIdAttribute;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The RFC 4271 §9.1.2.2 decision process, as a comparator that orders the better path first:
 * highest LOCAL_PREF, locally originated, shortest AS_PATH, lowest ORIGIN, lowest MED (same
 * neighbour AS), external over internal, non-stale over stale, lowest router id (ORIGINATOR_ID
 * when reflected, RFC 4456 §9), shortest CLUSTER_LIST, lowest peer address.
 *
 * <p>Threading: stateless, safe from any thread.
 */
public final class BestPathSelector implements Comparator<Path> {
    public static final BestPathSelector INSTANCE = new BestPathSelector();

    @Override
    public int compare(Path a, Path b) {
        int result = Long.compare(localPreference(b), localPreference(a));
        if (result != 0) {
            return result;
        }
        result = Boolean.compare(b.source().isLocal(), a.source().isLocal());
        if (result != 0) {
            return result;
        }
        result = Integer.compare(pathLength(a), pathLength(b));
        if (result != 0) {
            return result;
        }
        result = Integer.compare(origin(a), origin(b));
        if (result != 0) {
            return result;
        }
        if (neighborAs(a) == neighborAs(b)) {
            result = Long.compare(med(a), med(b));
            if (result != 0) {
                return result;
            }
        }
        result = Boolean.compare(b.source().external(), a.source().external());
        if (result != 0) {
            return result;
        }
        result = Boolean.compare(a.stale(), b.stale());
        if (result != 0) {
            return result;
        }
        result = Long.compare(routerId(a), routerId(b));
        if (result != 0) {
            return result;
        }
        result = Integer.compare(clusterListLength(a), clusterListLength(b));
        if (result != 0) {
            return result;
        }
        return Arrays.compare(a.source().address().getAddress(), b.source().address().getAddress());
    }

    private static long localPreference(Path path) {
        LocalPreferenceAttribute attribute = path.attribute(LocalPreferenceAttribute.class);
        return attribute == null ? LocalPreferenceAttribute.DEFAULT_VALUE : attribute.value();
    }

    private static int pathLength(Path path) {
        AsPathAttribute attribute = path.attribute(AsPathAttribute.class);
        return attribute == null ? 0 : attribute.pathLength();
    }

    private static int origin(Path path) {
        OriginAttribute attribute = path.attribute(OriginAttribute.class);
        return attribute == null ? OriginAttribute.INCOMPLETE : attribute.origin();
    }

    private static long neighborAs(Path path) {
        AsPathAttribute attribute = path.attribute(AsPathAttribute.class);
        return attribute == null ? -1 : attribute.firstAs();
    }

    private static long med(Path path) {
        MultiExitDiscriminatorAttribute attribute = path.attribute(MultiExitDiscriminatorAttribute.class);
        return attribute == null ? 0 : attribute.value();
    }

    private static long routerId(Path path) {
        OriginatorIdAttribute attribute = path.attribute(OriginatorIdAttribute.class);
        return attribute == null ? path.source().routerId() : attribute.routerId();
    }

    private static int clusterListLength(Path path) {
        ClusterListAttribute attribute = path.attribute(ClusterListAttribute.class);
        return attribute == null ? 0 : attribute.clusterIds().size();
    }
}
