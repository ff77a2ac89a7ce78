package io.softgate.service.api;

import io.softgate.core.packet.Ipv4Flyweight;
import io.softgate.service.intent.IntentDocument;
import io.softgate.service.intent.VpcIntent;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The filters of {@code GET /api/softgate/sessions}: {@code vpc} (names or intent ids; a list
 * as the other endpoints take it), {@code address} (an IPv4 address or prefix matched against
 * the inside, outside and remote address) and {@code limit} (sessions listed at most, default
 * {@link #DEFAULT_LIMIT}, at most {@link #MAX_LIMIT}; the answer still counts every match).
 *
 * <p>Threading: immutable.
 */
record SessionFilter(Set<String> vpcNames, boolean byAddress, int address, int mask, int limit) {
    static final int DEFAULT_LIMIT = 1000;
    static final int MAX_LIMIT = 100_000;

    /** Parses the query of {@code request}; a VPC id the intent does not know matches nothing. */
    static SessionFilter of(ApiRequest request, IntentDocument intent) throws BadRequestException {
        Set<String> vpcs = null;
        List<String> vpcValues = request.query().get("vpc");
        if (vpcValues != null && !vpcValues.isEmpty()) {
            vpcs = new HashSet<>();
            for (String value : vpcValues) {
                String trimmed = value.strip();
                if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
                    trimmed = trimmed.substring(1, trimmed.length() - 1);
                }
                for (String part : trimmed.split(",")) {
                    String vpc = part.strip();
                    if (!vpc.isEmpty()) {
                        vpcs.add(vpcName(vpc, intent));
                    }
                }
            }
            if (vpcs.isEmpty()) {
                vpcs = null;
            }
        }
        boolean byAddress = false;
        int address = 0;
        int mask = 0;
        String addressText = single(request, "address");
        if (addressText != null) {
            int slash = addressText.indexOf('/');
            int length = 32;
            try {
                if (slash >= 0) {
                    String lengthText = addressText.substring(slash + 1);
                    if (lengthText.length() > 2 || !AsciiDigits.only(lengthText)) {
                        throw new NumberFormatException();
                    }
                    length = Integer.parseInt(lengthText);
                    if (length > 32) {
                        throw new NumberFormatException();
                    }
                }
                mask = length == 0 ? 0 : -1 << (32 - length);
                address = Ipv4Flyweight.parse(slash >= 0 ? addressText.substring(0, slash) : addressText) & mask;
                byAddress = true;
            } catch (IllegalArgumentException e) {
                throw new BadRequestException("address", "must be an IPv4 address or prefix (was '" + addressText + "')");
            }
        }
        int limit = DEFAULT_LIMIT;
        String limitText = single(request, "limit");
        if (limitText != null) {
            limit = limit(limitText);
        }
        return new SessionFilter(vpcs, byAddress, address, mask, limit);
    }

    /** Parses a {@code limit} parameter: 0..{@link #MAX_LIMIT}. */
    static int limit(String text) throws BadRequestException {
        if (text.length() > 7 || !AsciiDigits.only(text)
            || Integer.parseInt(text) > MAX_LIMIT) {
            throw new BadRequestException("limit", "must be an integer 0.." + MAX_LIMIT + " (was '" + text + "')");
        }
        return Integer.parseInt(text);
    }

    /** The one value of query parameter {@code name}, stripped, or null when absent. */
    static String single(ApiRequest request, String name) throws BadRequestException {
        List<String> values = request.query().get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new BadRequestException(name, "give it once");
        }
        return values.get(0).strip();
    }

    /** A VPC named by id (the intent's) or by name (the file's VPCs have names only). */
    private static String vpcName(String vpc, IntentDocument intent) {
        if (vpc.length() <= 10 && AsciiDigits.only(vpc)) {
            long id = Long.parseLong(vpc);
            for (VpcIntent candidate : intent.vpcs()) {
                if (candidate.id() == id) {
                    return candidate.name();
                }
            }
        }
        return vpc;
    }

    boolean acceptsVpc(String name) {
        return vpcNames == null || vpcNames.contains(name);
    }

    boolean acceptsAddresses(int inside, int outside, int remote) {
        return !byAddress || (inside & mask) == address || (outside & mask) == address || (remote & mask) == address;
    }
}
