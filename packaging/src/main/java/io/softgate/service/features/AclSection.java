package io.softgate.service.features;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code acl} section: every VPC's rules in the controller's ACL shape, the default action
 * per VPC ({@code permit} or {@code deny}; a VPC with rules and no default permits) and the
 * capacity of the return-traffic table. Its presence puts the two ACL stages into the pipeline.
 *
 * <p>Threading: immutable.
 */
public record AclSection(List<AclRuleSection> rules, Map<String, String> defaultActions, Integer flowCapacity) {
    public static final int DEFAULT_FLOW_CAPACITY = 1 << 20;

    public AclSection {
        rules = rules == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(rules));
        defaultActions = defaultActions == null ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(defaultActions));
        flowCapacity = flowCapacity == null ? DEFAULT_FLOW_CAPACITY : flowCapacity;
    }
}
