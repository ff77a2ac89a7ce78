package io.softgate.service.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.LongSupplier;

/**
 * Who may call the API: users with password hashes (form login as Netris clients do it, which
 * opens a session named by an unguessable {@code connect.sid} cookie that expires), and bearer
 * tokens for automation (compared by SHA-256 digest in constant time). Failed logins are limited
 * per remote address: after {@link #MAX_FAILURES} failures within {@link #FAILURE_WINDOW_NS},
 * that address is refused until the window has passed. At most {@link #MAX_SESSIONS} sessions
 * live at once; a right password beyond that gets {@link LoginResult#SESSIONS_FULL}.
 *
 * <p>Threading: thread-safe; the sessions and failure counts are guarded by the instance's
 * monitor, which {@link #login} does not hold while it hashes the password.
 */
public final class Authenticator {
    public static final String SESSION_COOKIE = "connect.sid";
    public static final int MAX_FAILURES = 5;
    public static final long FAILURE_WINDOW_NS = 60_000_000_000L;
    static final int MAX_SESSIONS = 10_000;
    static final int MAX_TRACKED_ADDRESSES = 10_000;

    /**
     * The outcome of a login attempt: {@code SESSIONS_FULL} is a right password while
     * {@link #MAX_SESSIONS} sessions live (the service is full; the address did nothing wrong).
     */
    public enum LoginResult { OK, REJECTED, RATE_LIMITED, SESSIONS_FULL }

    private final Map<String, String> passwordHashes;
    private final List<byte[]> tokenDigests;
    private final long sessionTtlNs;
    private final LongSupplier nanoClock;
    private final int maxSessions;
    private final BiPredicate<char[], String> passwordCheck;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Long> sessionExpiryNs = new HashMap<>();
    private final Map<String, long[]> failures = new HashMap<>();

    public Authenticator(Map<String, String> passwordHashes, List<String> tokens, long sessionTtlNs, LongSupplier nanoClock) {
        this(passwordHashes, tokens, sessionTtlNs, nanoClock, MAX_SESSIONS);
    }

    /** As the public constructor, with at most {@code maxSessions} live sessions (tests use a few). */
    Authenticator(Map<String, String> passwordHashes, List<String> tokens, long sessionTtlNs, LongSupplier nanoClock, int maxSessions) {
        this(passwordHashes, tokens, sessionTtlNs, nanoClock, maxSessions, PasswordHash::verify);
    }

    /** As above, checking passwords against stored hashes with {@code passwordCheck} ({@link PasswordHash#verify}). */
    Authenticator(Map<String, String> passwordHashes, List<String> tokens, long sessionTtlNs, LongSupplier nanoClock, int maxSessions,
                  BiPredicate<char[], String> passwordCheck) {
        this.passwordHashes = Map.copyOf(passwordHashes);
        List<byte[]> digests = new ArrayList<>();
        for (String token : tokens) {
            digests.add(sha256(token));
        }
        this.tokenDigests = List.copyOf(digests);
        this.sessionTtlNs = sessionTtlNs;
        this.nanoClock = nanoClock;
        this.maxSessions = maxSessions;
        this.passwordCheck = passwordCheck;
    }

    public long sessionTtlSeconds() {
        return sessionTtlNs / 1_000_000_000L;
    }

    /**
     * Checks a login; on success {@code sessionOut[0]} receives the new session id. A user that
     * does not exist costs the same hash work as a wrong password. The hash (PBKDF2, tens of
     * milliseconds) runs outside the monitor: the I/O thread checks every request's session
     * ({@link CredentialGate}) and must not wait for a login. Logins run one at a time on the API
     * thread; two at once from one address could each pass the failure check before either counts.
     */
    public LoginResult login(String user, char[] password, String remoteAddress, String[] sessionOut) {
        synchronized (this) {
            long now = nanoClock.getAsLong();
            long[] record = failures.get(remoteAddress);
            if (record != null && now - record[1] > FAILURE_WINDOW_NS) {
                failures.remove(remoteAddress);
                record = null;
            }
            if (record != null && record[0] >= MAX_FAILURES) {
                return LoginResult.RATE_LIMITED;
            }
        }
        String stored = user == null ? null : passwordHashes.get(user);
        boolean ok = passwordCheck.test(password, stored != null ? stored : DUMMY_HASH) && stored != null;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            if (!ok) {
                if (failures.size() >= MAX_TRACKED_ADDRESSES && !failures.containsKey(remoteAddress)) {
                    failures.clear();
                }
                long[] entry = failures.computeIfAbsent(remoteAddress, key -> new long[] {0, now});
                entry[0]++;
                return LoginResult.REJECTED;
            }
            failures.remove(remoteAddress);
            expireSessions(now);
            if (sessionExpiryNs.size() >= maxSessions) {
                return LoginResult.SESSIONS_FULL;
            }
            byte[] id = new byte[32];
            random.nextBytes(id);
            String session = HexFormat.of().formatHex(id);
            sessionExpiryNs.put(session, now + sessionTtlNs);
            sessionOut[0] = session;
            return LoginResult.OK;
        }
    }

    /** True when {@code session} names a live session. */
    public synchronized boolean sessionValid(String session) {
        if (session == null) {
            return false;
        }
        Long expiry = sessionExpiryNs.get(session);
        if (expiry == null) {
            return false;
        }
        if (nanoClock.getAsLong() - expiry >= 0) {
            sessionExpiryNs.remove(session);
            return false;
        }
        return true;
    }

    public synchronized void logout(String session) {
        if (session != null) {
            sessionExpiryNs.remove(session);
        }
    }

    /** True when {@code token} is one of the configured bearer tokens. */
    public boolean tokenValid(String token) {
        if (token == null || token.isEmpty()) {
            return false;
        }
        byte[] digest = sha256(token);
        boolean found = false;
        for (byte[] candidate : tokenDigests) {
            found |= MessageDigest.isEqual(candidate, digest);
        }
        return found;
    }

    private void expireSessions(long now) {
        Iterator<Map.Entry<String, Long>> entries = sessionExpiryNs.entrySet().iterator();
        while (entries.hasNext()) {
            if (now - entries.next().getValue() >= 0) {
                entries.remove();
            }
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Verified against when the user does not exist, so both failures cost the same. */
    private static final String DUMMY_HASH = PasswordHash.hash("not-a-password".toCharArray());
}
