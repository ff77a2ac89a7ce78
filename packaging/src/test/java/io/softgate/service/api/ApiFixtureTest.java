package io.softgate.service.api;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What most API tests share: a real API server ({@link ApiFixture}) on a fresh state directory,
 * started before each test (logged in as {@link ApiFixture#USER} unless {@link #loggedIn} says
 * otherwise) and closed after it. A subclass's own {@code @BeforeEach} runs after this one.
 *
 * <p>Threading: JUnit's test thread.
 */
abstract class ApiFixtureTest {
    @TempDir
    Path stateDir;
    ApiFixture api;

    @BeforeEach
    void startApi() throws Exception {
        api = new ApiFixture(stateDir, configJson());
        if (loggedIn()) {
            api.login(ApiFixture.USER, ApiFixture.PASSWORD);
        }
    }

    @AfterEach
    void stopApi() {
        api.close();
    }

    /** The node's configuration file the API runs with ({@link ApiFixture#CONFIG} unless a subclass says otherwise). */
    String configJson() {
        return ApiFixture.CONFIG;
    }

    /** Whether each test starts with a session of {@link ApiFixture#USER} (the default). */
    boolean loggedIn() {
        return true;
    }
}
