package io.softgate.service.features;

import io.softgate.nat.config.FilteringMode;
import io.softgate.nat.config.NatSettings;
import io.softgate.service.config.ConfigError;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The node-wide NAT behaviour ({@link NatSettings}) a configuration file's {@code nat} section asks
 * for. The one function both paths build it with: the service's (the file's NAT model, which the
 * snapshot composer hands the NAT adapter) and an adapter's over the file alone
 * ({@code NatIntentAdapter} without that model: the start-up warm-up's, {@code
 * IntentCompiler.defaultAdapters}'), so that the API's rules are compiled with the same settings
 * on either path. A setting the section does not give keeps the module default; the ranges are
 * the NAT compiler's to check (it names the field).
 *
 * <p>Threading: stateless.
 */
public final class NatSectionSettings {
    private NatSectionSettings() {
    }

    /**
     * The settings {@code section} asks for ({@link NatSettings#defaults} when it is null); a
     * problem is appended to {@code errors} with its path in the file ({@code nat.filtering}).
     */
    public static NatSettings of(NatSection section, List<ConfigError> errors) {
        NatSettings settings = NatSettings.defaults();
        if (section == null) {
            return settings;
        }
        switch (section.filtering().toLowerCase(Locale.ROOT)) {
            case "endpoint-independent" -> settings = settings.withFiltering(FilteringMode.ENDPOINT_INDEPENDENT);
            case "address-dependent" -> settings = settings.withFiltering(FilteringMode.ADDRESS_DEPENDENT);
            default -> errors.add(new ConfigError("nat.filtering", "must be endpoint-independent or address-dependent (was "
                + section.filtering() + ")"));
        }
        if (section.portRangeFirst() != null || section.portRangeLast() != null) {
            settings = settings.withPortRange(
                section.portRangeFirst() != null ? section.portRangeFirst() : settings.portRangeFirst(),
                section.portRangeLast() != null ? section.portRangeLast() : settings.portRangeLast());
        }
        if (section.portBlockSize() != null) {
            settings = settings.withPortBlocks(section.portBlockSize());
        }
        if (section.portsPerSubscriberLimit() != null) {
            settings = settings.withPortsPerSubscriberLimit(section.portsPerSubscriberLimit());
        }
        if (section.sessionsPerSubscriberLimit() != null) {
            // RFC 6888 REQ-5: the limit protects the node's session table, whoever made the rule.
            settings = settings.withSessionsPerSubscriberLimit(section.sessionsPerSubscriberLimit());
        }
        if (section.udpTimeoutSeconds() != null) {
            settings = settings.withUdpTimeoutNs(TimeUnit.SECONDS.toNanos(section.udpTimeoutSeconds()));
        }
        if (section.tcpMssClamp() != null) {
            settings = settings.withTcpMssClamp(section.tcpMssClamp());
        }
        if (section.icmpErrorsPerSecond() != null) {
            // The NAT compiler checks the range and names nat.icmpErrorsPerSecond.
            settings = settings.withIcmpErrorsPerSecond(section.icmpErrorsPerSecond());
        }
        if (section.unsolicitedSynPortUnreachable() != null) {
            settings = settings.withUnsolicitedSynPortUnreachable(section.unsolicitedSynPortUnreachable());
        }
        return settings;
    }
}
