package dev.ragline.app.wiring;

import dev.ragline.app.config.RaglineConfig;
import dev.ragline.ingestion.KafkaIngestionConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: the store answers, and ingestion is not stalled (failing and retrying for longer than
 * {@code ragline.ingestion.stalled-after}, with the reason). Liveness: the consumer thread runs; DOWN with the
 * error once it has stopped.
 */
@ApplicationScoped
public class PipelineHealth {
    @Inject Platform platform;
    @Inject RaglineConfig config;

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

    @Readiness
    HealthCheck ingestionProgress() {
        return () -> {
            var builder = HealthCheckResponse.named("ingestion");
            return platform.consumer().map(c -> {
                var status = describe(builder, c);
                boolean stalled = status.state() == KafkaIngestionConsumer.State.RETRYING
                        && status.stalledFor().compareTo(config.ingestion().stalledAfter()) >= 0;
                boolean stopped = !c.isRunning();
                return (stalled || stopped ? builder.down() : builder.up()).build();
            }).orElseGet(() -> builder.up().withData("consuming", false).build());
        };
    }

    @Liveness
    HealthCheck ingestion() {
        return () -> {
            var builder = HealthCheckResponse.named("ingestion-consumer").withData("bootstrap", platform.bootstrapServers());
            return platform.consumer().map(c -> {
                describe(builder, c);
                return c.failure().map(f -> builder.down().withData("error", String.valueOf(f.getMessage())).build())
                        .orElseGet(() -> (c.isRunning() ? builder.up() : builder.down()).build());
            }).orElseGet(() -> builder.up().withData("consuming", false).build());
        };
    }

    private static KafkaIngestionConsumer.Status describe(HealthCheckResponseBuilder builder, KafkaIngestionConsumer c) {
        var status = c.status();
        builder.withData("topic", c.config().topic()).withData("lag", status.lag()).withData("state", status.state().name())
                .withData("partitions", status.partitions());
        if (status.reason() != null) builder.withData("reason", status.reason());
        if (status.state() == KafkaIngestionConsumer.State.RETRYING) builder.withData("stalledSeconds", status.stalledFor().toSeconds());
        if (status.lastCommit() != null) builder.withData("lastCommit", status.lastCommit().toString());
        return status;
    }
}
