package io.softgate.service.api;

/**
 * Decimal numbers as the API reads them from paths, query strings, headers and string-valued
 * JSON fields: ASCII {@code 0-9} only. {@link Character#isDigit} and {@link Long#parseLong} also
 * take other scripts' digits ({@code ٢}, U+0662, is 2), so {@code /api/v2/vpc/%D9%A2} would name
 * VPC 2: one object with two spellings, which no client sends and a filter in front of the API
 * would not recognise.
 *
 * <p>Threading: stateless.
 */
final class AsciiDigits {
    private AsciiDigits() {
    }

    /** True when {@code text} is one or more ASCII digits and nothing else. */
    static boolean only(String text) {
        if (text == null || text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
