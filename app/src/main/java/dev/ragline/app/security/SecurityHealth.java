package dev.ragline.app.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Says in /q/health whether the service runs in the open development mode or requires credentials. */
@ApplicationScoped
public class SecurityHealth {
    @Inject AccessControl access;

    @Liveness
    HealthCheck authentication() {
        return () -> HealthCheckResponse.named("authentication").up()
                .withData("mode", access.openMode() ? "open-development" : "required")
                .withData("keysFile", access.keys().file().toString()).build();
    }
}
