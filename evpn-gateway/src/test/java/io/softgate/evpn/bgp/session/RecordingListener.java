package io.softgate.evpn.bgp.session;

import io.softgate.evpn.bgp.EvpnRouteListener;
import io.softgate.evpn.bgp.IpPrefixRouteUpdate;
import io.softgate.evpn.bgp.MacIpRouteUpdate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every update it receives. */
public final class RecordingListener implements EvpnRouteListener {
    public final List<IpPrefixRouteUpdate> prefixes = new CopyOnWriteArrayList<>();
    public final List<MacIpRouteUpdate> macIps = new CopyOnWriteArrayList<>();

    @Override
    public void macIpRouteChanged(MacIpRouteUpdate update) {
        macIps.add(update);
    }

    @Override
    public void ipPrefixRouteChanged(IpPrefixRouteUpdate update) {
        prefixes.add(update);
    }

    public IpPrefixRouteUpdate lastPrefix() {
        return prefixes.isEmpty() ? null : prefixes.get(prefixes.size() - 1);
    }
}
