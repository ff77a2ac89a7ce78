package io.softgate.service.api;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.softgate.service.config.ApiConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.net.ssl.SSLException;

/**
 * The API's resolved settings: where to listen, the secrets read from their files, the TLS
 * context (when a certificate is configured), limits, where the intent is persisted, and the CPU
 * time the start-up warm-up may use ({@code warmUpCpuBudgetNs}, 0: none).
 *
 * <p>Threading: immutable.
 */
public record ApiSettings(String listenAddress, int port, Map<String, String> users, List<String> tokens, SslContext tls,
                          int sessionTtlSeconds, int maxRequestBytes, Path stateDir, String siteName, String adminTenantName,
                          long warmUpCpuBudgetNs) {
    public static final String DEFAULT_ADMIN_TENANT = "Admin";
    /**
     * CPU time the start-up warm-up ({@code api.warmUp}) may use: 3 s made the benchmark's first
     * apply need less of the applying thread and of the JIT than 1.5 s did (benchmarks/README.md,
     * "API apply benchmark").
     */
    public static final long DEFAULT_WARM_UP_CPU_BUDGET_NS = 3_000_000_000L;

    public ApiSettings {
        users = Map.copyOf(users);
        tokens = List.copyOf(tokens);
    }

    /**
     * Reads the credentials, tokens and TLS material named by {@code config}; relative paths go
     * through {@code resolve}, the intent directory defaults under {@code nodeStateDir}.
     */
    public static ApiSettings from(ApiConfig config, Function<String, Path> resolve, Path nodeStateDir, String siteName)
        throws IOException {
        Map<String, String> users = config.credentialsFile() == null ? Map.of() : Credentials.readUsers(resolve.apply(config.credentialsFile()));
        List<String> tokens = config.tokensFile() == null ? List.of() : Credentials.readTokens(resolve.apply(config.tokensFile()));
        if (users.isEmpty() && tokens.isEmpty()) {
            throw new IOException("api: no user and no token configured; the API has no default password");
        }
        SslContext tls = null;
        if (config.tlsCertificate() != null) {
            try {
                tls = SslContextBuilder.forServer(resolve.apply(config.tlsCertificate()).toFile(),
                    resolve.apply(config.tlsPrivateKey()).toFile()).build();
            } catch (SSLException | IllegalArgumentException e) {
                throw new IOException("api: cannot load the TLS certificate or key: " + e.getMessage(), e);
            }
        }
        Path stateDir = intentDirectory(config, nodeStateDir);
        return new ApiSettings(config.listenAddress(), config.port(), users, tokens, tls, config.sessionTtlSeconds(),
            config.maxRequestBytes(), stateDir, siteName, DEFAULT_ADMIN_TENANT,
            config.warmUp() ? DEFAULT_WARM_UP_CPU_BUDGET_NS : 0);
    }

    /**
     * Where the API keeps its applied intent: {@code config.stateDir()} under {@code nodeStateDir}.
     * Reads no secret, so the service can load the intent before the rest of the API starts.
     */
    public static Path intentDirectory(ApiConfig config, Path nodeStateDir) {
        return nodeStateDir.resolve(config.stateDir()).normalize();
    }
}
