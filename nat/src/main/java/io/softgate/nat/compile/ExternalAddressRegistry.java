package io.softgate.nat.compile;

import io.softgate.nat.config.NatSettings;
import io.softgate.nat.session.PortSpace;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands out one {@link ExternalAddress} (and its port space) per public address and keeps it for
 * the life of the process, so recompiling rules never loses the state of ports in use.
 *
 * <p>Threading: {@link #intern} (via the compiler) from one control thread at a time; {@link #find} from
 * any thread; the port spaces it creates are shared with workers.
 */
public final class ExternalAddressRegistry {
    private final Map<Integer, ExternalAddress> byAddress = new ConcurrentHashMap<>();
    private final ExternalAddress[] byIndex;

    /** @param maxAddresses bound on distinct public addresses (each costs about 768 KiB of port state) */
    public ExternalAddressRegistry(int maxAddresses) {
        this.byIndex = new ExternalAddress[maxAddresses];
    }

    synchronized ExternalAddress intern(int address, NatSettings settings, String field) {
        ExternalAddress known = byAddress.get(address);
        if (known != null) {
            return known;
        }
        int index = byAddress.size();
        if (index >= byIndex.length) {
            throw new io.softgate.nat.config.NatConfigException(field,
                "more than " + byIndex.length + " public addresses in use");
        }
        ExternalAddress created = new ExternalAddress(address, index, new PortSpace(address));
        byIndex[index] = created;
        byAddress.put(address, created);
        return created;
    }

    /** The record of {@code address}, or null when it was never configured. */
    public ExternalAddress find(int address) {
        return byAddress.get(address);
    }

    /** The address with {@code index}, or null. */
    public ExternalAddress byIndex(int index) {
        return index >= 0 && index < byIndex.length ? byIndex[index] : null;
    }

    public int size() {
        return byAddress.size();
    }
}
