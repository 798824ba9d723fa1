package dev.ragline.app.wiring;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the store answers and the consumer runs; not live once the consumer thread has died. */
@ApplicationScoped
public class PipelineHealth {
    @Inject Platform platform;

    @Readiness
    HealthCheck store() {
        return () -> {
            var builder = HealthCheckResponse.named("chunk-store");
            try {
                return builder.up().withData("chunks", platform.store().count()).build();
            } catch (RuntimeException e) {
                return builder.down().withData("error", String.valueOf(e.getMessage())).build();
            }
        };
    }

    @Liveness
    HealthCheck ingestion() {
        return () -> {
            var builder = HealthCheckResponse.named("ingestion-consumer").withData("bootstrap", platform.bootstrapServers());
            return platform.consumer().map(c -> {
                builder.withData("topic", c.config().topic()).withData("lag", c.lag());
                return c.failure().map(f -> builder.down().withData("error", String.valueOf(f.getMessage())).build())
                        .orElseGet(() -> (c.isRunning() ? builder.up() : builder.down()).build());
            }).orElseGet(() -> builder.up().withData("consuming", false).build());
        };
    }
}
