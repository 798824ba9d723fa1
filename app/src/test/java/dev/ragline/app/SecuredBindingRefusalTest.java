package dev.ragline.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Without API keys or JWTs the service refuses to start on a non-loopback interface, and says what to do. */
@QuarkusMainTest
@TestProfile(SecuredBindingRefusalTest.PublicInterfaceWithoutKeys.class)
@Tag("secured-profile")
class SecuredBindingRefusalTest {

    public static class PublicInterfaceWithoutKeys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                return Map.of("ragline.data-dir", Files.createTempDirectory("ragline-refusal-test-").toString(),
                        "quarkus.http.host", "0.0.0.0", "quarkus.http.test-host", "0.0.0.0");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    @Launch(value = {}, exitCode = 1)
    void refusesToListenOnAllInterfacesInOpenMode(LaunchResult result) {
        assertThat(result.getOutput() + result.getErrorOutput())
                .contains("refusing to listen on 0.0.0.0 without authentication")
                .contains("bin/keys create");
    }
}
