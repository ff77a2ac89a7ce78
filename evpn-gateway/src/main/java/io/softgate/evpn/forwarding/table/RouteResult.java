package io.softgate.evpn.forwarding.table;

/**
 * The int a route lookup returns: {@link #NO_ROUTE}, {@link #BLACKHOLE}, {@link #LOCAL}, or a
 * next-hop group ({@code result - FIRST_GROUP} indexes {@link NextHopGroups}). Always >= 0, so
 * tries can use the sign bit for child pointers.
 *
 * <p>Threading: constants only.
 */
public final class RouteResult {
    public static final int NO_ROUTE = 0;
    public static final int BLACKHOLE = 1;
    public static final int LOCAL = 2;
    public static final int FIRST_GROUP = 3;

    private RouteResult() {
    }

    public static int ofGroup(int group) {
        return FIRST_GROUP + group;
    }

    public static boolean isGroup(int result) {
        return result >= FIRST_GROUP;
    }

    public static int group(int result) {
        return result - FIRST_GROUP;
    }
}
