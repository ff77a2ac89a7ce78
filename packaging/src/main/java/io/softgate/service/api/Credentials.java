package io.softgate.service.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the API's secrets: the credentials file ({@code user:pbkdf2-sha256:...} per line, made
 * with {@code softgatectl hash-password}) and the tokens file (one bearer token of at least 32
 * characters per line). Blank lines and {@code #} comments are skipped; errors name the file and
 * line, never the secret.
 *
 * <p>Threading: stateless.
 */
public final class Credentials {
    public static final int MIN_TOKEN_LENGTH = 32;

    private Credentials() {
    }

    public static Map<String, String> readUsers(Path file) throws IOException {
        Map<String, String> users = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String user = colon > 0 ? line.substring(0, colon) : "";
            String hash = colon > 0 ? line.substring(colon + 1) : "";
            if (user.isEmpty() || !PasswordHash.isWellFormed(hash)) {
                throw new IOException(file + " line " + (i + 1) + ": expected user:" + PasswordHash.SCHEME
                    + ":<iterations>:<salt>:<hash> (make one with softgatectl hash-password)");
            }
            users.put(user, hash);
        }
        return users;
    }

    public static List<String> readTokens(Path file) throws IOException {
        List<String> tokens = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.length() < MIN_TOKEN_LENGTH) {
                throw new IOException(file + " line " + (i + 1) + ": a token needs at least " + MIN_TOKEN_LENGTH + " characters");
            }
            tokens.add(line);
        }
        return tokens;
    }
}
