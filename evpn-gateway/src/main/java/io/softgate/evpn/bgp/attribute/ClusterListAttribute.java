package io.softgate.evpn.bgp.attribute;

import java.util.List;

/**
 * CLUSTER_LIST, type 10, optional non-transitive (RFC 4456 §8): the cluster ids a reflected
 * route passed through.
 *
 * <p>Threading: immutable, safe to share.
 */
public record ClusterListAttribute(List<Long> clusterIds) implements PathAttribute {
    public static final int TYPE = 10;
    public static final PathAttributeCodec<ClusterListAttribute> CODEC = new ListOfNumbersAttributeCodec<>(
            TYPE, ClusterListAttribute.class, FLAG_OPTIONAL, 4, true, ClusterListAttribute::new,
            ClusterListAttribute::clusterIds);

    public ClusterListAttribute {
        clusterIds = List.copyOf(clusterIds);
    }

    @Override
    public int typeCode() {
        return TYPE;
    }
}
