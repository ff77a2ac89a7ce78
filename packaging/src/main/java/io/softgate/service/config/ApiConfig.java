package io.softgate.service.config;

/**
 * The controller's REST API ({@code io.softgate.service.api}): where it listens, where its
 * credentials, TLS material and applied intent live. Absent section = no API. Without TLS
 * material it serves plain HTTP on a loopback address only, unless {@code plainHttp} says so
 * explicitly (the token and the session cookie would otherwise cross the network in clear).
 *
 * <p>Threading: immutable.
 */
public record ApiConfig(Boolean enabled, String listenAddress, Integer port, String credentialsFile,
                        String tokensFile, String tlsCertificate, String tlsPrivateKey,
                        Integer sessionTtlSeconds, Integer maxRequestBytes, String stateDir, Boolean warmUp,
                        Boolean plainHttp) {
    static final ApiConfig DISABLED = new ApiConfig(false, null, null, null, null, null, null, null, null, null, null, null);
    public static final String DEFAULT_LISTEN_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_PORT = 8089;
    public static final int DEFAULT_SESSION_TTL_SECONDS = 3600;
    public static final int DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024;

    public ApiConfig {
        enabled = enabled == null || enabled;
        listenAddress = listenAddress == null ? DEFAULT_LISTEN_ADDRESS : listenAddress;
        port = port == null ? DEFAULT_PORT : port;
        sessionTtlSeconds = sessionTtlSeconds == null ? DEFAULT_SESSION_TTL_SECONDS : sessionTtlSeconds;
        maxRequestBytes = maxRequestBytes == null ? DEFAULT_MAX_REQUEST_BYTES : maxRequestBytes;
        stateDir = stateDir == null ? "api" : stateDir;
        // A first big apply otherwise runs cold code (see io.softgate.service.intent.IntentWarmUp).
        warmUp = warmUp == null || warmUp;
        plainHttp = plainHttp != null && plainHttp;
    }
}
