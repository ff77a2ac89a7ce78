package io.softgate.service.features;

import io.softgate.nat.config.NatRule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code nat} section of the configuration file: the VPCs' NAT rules in the controller's shape
 * (DESIGN §7: name, action, protocol, sourceAddress, sourcePort, destinationAddress,
 * destinationPort, snatToIP, snatToPool, dnatToIP, dnatToPort, state, vpc), the public address
 * MASQUERADE uses per VPC, the node-wide behaviour (including the rate of the ICMP errors the NAT
 * originates and whether a held unsolicited SYN is answered, RFC 5382 REQ-4) and the session
 * capacity (a hard limit). Its presence puts the
 * NAT stages into the pipeline; an absent section means no NAT (and no memory reserved for it).
 *
 * <p>Threading: immutable.
 */
public record NatSection(
    List<NatRule> rules,
    Map<String, String> masqueradeAddresses,
    String filtering,
    Integer portRangeFirst,
    Integer portRangeLast,
    Integer portBlockSize,
    Integer portsPerSubscriberLimit,
    Integer udpTimeoutSeconds,
    Integer tcpMssClamp,
    Integer maxSessions,
    String eventLog,
    Integer icmpErrorsPerSecond,
    Boolean unsolicitedSynPortUnreachable,
    Integer sessionsPerSubscriberLimit) {

    /** Where the NAT event log goes unless the file says otherwise (relative to the state directory). */
    public static final String DEFAULT_EVENT_LOG = "nat-events.log";
    public static final int DEFAULT_MAX_SESSIONS = 1 << 20;

    public NatSection {
        rules = rules == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(rules));
        masqueradeAddresses = masqueradeAddresses == null ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(masqueradeAddresses));
        filtering = filtering == null ? "endpoint-independent" : filtering;
        maxSessions = maxSessions == null ? DEFAULT_MAX_SESSIONS : maxSessions;
        eventLog = eventLog == null ? DEFAULT_EVENT_LOG : eventLog;
    }
}
