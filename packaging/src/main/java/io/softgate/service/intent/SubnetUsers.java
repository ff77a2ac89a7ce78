package io.softgate.service.intent;

import java.util.ArrayList;
import java.util.List;

/**
 * Which NAT rules and load-balancer services stand on the IPAM subnets: the public address an
 * object owns (an SNAT rule's {@code snatToIP} or {@code snatToPool}, a DNAT rule's
 * {@code destinationAddress}, a VIP) must lie in a subnet of the matching purpose, of any VPC (the
 * rule {@link IntentValidator} checks). A change of the subnets that leaves such an address
 * outside every one takes the subnet from under its user: the resources refuse it with 409
 * naming the users, as they refuse deleting an allocation that still holds subnets.
 *
 * <p>Threading: stateless.
 */
public final class SubnetUsers {
    private SubnetUsers() {
    }

    /**
     * The users ({@code nat[name]}, {@code l4lb[name]}, in document order) whose address a subnet
     * of {@code before} holds and none of {@code after} does.
     */
    public static List<String> stranded(List<SubnetIntent> before, List<SubnetIntent> after, List<NatIntent> nats,
                                        List<L4lbIntent> l4lbs) {
        // Only an address inside a subnet that went (or changed) can have lost its subnet: test
        // those few first, so a delete among thousands of /32 subnets and rules stays linear.
        List<SubnetIntent> gone = new ArrayList<>(before);
        gone.removeAll(new java.util.HashSet<>(after));
        List<String> users = new ArrayList<>();
        if (gone.isEmpty()) {
            return users;
        }
        for (NatIntent nat : nats) {
            for (String address : natAddresses(nat)) {
                if (lost(gone, after, IpPrefix.parse(address), SubnetIntent.NAT)) {
                    users.add("nat[" + nat.name() + "]");
                    break;
                }
            }
        }
        for (L4lbIntent lb : l4lbs) {
            if (lost(gone, after, IpPrefix.parse(lb.ip()), SubnetIntent.LOAD_BALANCER)) {
                users.add("l4lb[" + lb.name() + "]");
            }
        }
        return users;
    }

    private static List<String> natAddresses(NatIntent nat) {
        List<String> addresses = new ArrayList<>(2);
        if ("SNAT".equals(nat.action())) {
            if (nat.snatToIp() != null) {
                addresses.add(nat.snatToIp());
            }
            if (nat.snatToPool() != null) {
                addresses.add(nat.snatToPool());
            }
        } else if ("DNAT".equals(nat.action()) && nat.destinationAddress() != null) {
            addresses.add(nat.destinationAddress());
        }
        return addresses;
    }

    private static boolean lost(List<SubnetIntent> gone, List<SubnetIntent> after, IpPrefix address, String purpose) {
        return address != null && covered(gone, address, purpose) && !covered(after, address, purpose);
    }

    private static boolean covered(List<SubnetIntent> subnets, IpPrefix address, String purpose) {
        for (SubnetIntent subnet : subnets) {
            IpPrefix prefix = purpose.equals(subnet.purpose()) ? IpPrefix.parse(subnet.prefix()) : null;
            if (prefix != null && prefix.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
