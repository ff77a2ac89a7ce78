package io.softgate.service.intent;

/**
 * Port text as the controller writes it: {@code "80"} or {@code "1024-65535"}.
 *
 * <p>Threading: stateless.
 */
public final class PortRanges {
    private PortRanges() {
    }

    /** {from, to} for a valid port or range in 1..65535, else null. */
    public static int[] parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 11) {
            return null;
        }
        int dash = text.indexOf('-');
        int from = number(dash < 0 ? text : text.substring(0, dash));
        int to = dash < 0 ? from : number(text.substring(dash + 1));
        if (from < 1 || to < from || to > 65535) {
            return null;
        }
        return new int[] {from, to};
    }

    private static int number(String text) {
        if (text.isEmpty() || text.length() > 5) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
