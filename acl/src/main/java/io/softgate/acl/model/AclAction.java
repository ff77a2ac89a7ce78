package io.softgate.acl.model;

import java.util.Locale;

/**
 * What an ACL rule (or a VPC's default policy) does with a packet it matches.
 *
 * <p>Threading: immutable enum.
 */
public enum AclAction {
    PERMIT,
    DENY;

    /** Parses the controller's spelling ({@code "permit"} or {@code "deny"}, any case). */
    public static AclAction parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("action is required (permit or deny)");
        }
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "permit", "allow", "accept" -> PERMIT;
            case "deny", "drop" -> DENY;
            default -> throw new IllegalArgumentException("action must be permit or deny: " + text);
        };
    }
}
