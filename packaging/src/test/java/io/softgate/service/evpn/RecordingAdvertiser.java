package io.softgate.service.evpn;

import java.util.List;
import java.util.function.Function;

/**
 * An {@link AdvertisementSync.Advertiser} for tests that appends {@code "+route"} for each
 * advertisement and {@code "-route"} for each withdrawal to a list, a route written as its prefix
 * ({@link #prefixes}) or whole ({@link #routes}).
 *
 * <p>Threading: not thread-safe; the list is the caller's, read on the thread that drives the sync.
 */
public final class RecordingAdvertiser implements AdvertisementSync.Advertiser {
    private final List<String> calls;
    private final Function<Type5Advertisement, String> format;

    private RecordingAdvertiser(List<String> calls, Function<Type5Advertisement, String> format) {
        this.calls = calls;
        this.format = format;
    }

    /** Records {@code +address/length} and {@code -address/length}. */
    public static RecordingAdvertiser prefixes(List<String> calls) {
        return new RecordingAdvertiser(calls, route -> route.prefix().getHostAddress() + "/" + route.prefixLength());
    }

    /** Records {@code +route} and {@code -route} with the route's own text (RD, VNI, prefix). */
    public static RecordingAdvertiser routes(List<String> calls) {
        return new RecordingAdvertiser(calls, String::valueOf);
    }

    @Override
    public void advertise(Type5Advertisement route) {
        calls.add("+" + format.apply(route));
    }

    @Override
    public void withdraw(Type5Advertisement route) {
        calls.add("-" + format.apply(route));
    }
}
