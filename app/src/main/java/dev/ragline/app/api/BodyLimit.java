package dev.ragline.app.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A body announced larger than {@code quarkus.http.limits.max-body-size} gets our JSON 413 instead of Quarkus's
 * empty one: this route runs just before Quarkus's own size check (which it leaves in place for chunked bodies, whose
 * size is known only while reading; those still get a 413, without a body).
 */
@Singleton
public class BodyLimit {

    void install(@Observes Router router, ObjectMapper json,
                 @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K") MemorySize limit) {
        long max = limit.asLongValue();
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(ctx -> {
            String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            long bytes;
            try {
                bytes = length == null ? -1 : Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                bytes = -1;
            }
            if (bytes <= max) {
                ctx.next();
                return;
            }
            String body;
            try {
                body = json.writeValueAsString(new ApiError(413, "payload_too_large", "request body is " + bytes
                        + " bytes, over the limit of " + max + " (quarkus.http.limits.max-body-size)", List.of()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            // The body is not read: close the connection after answering, as Quarkus's own check does.
            ctx.response().setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.CONNECTION, "close")
                    .endHandler(v -> ctx.request().connection().close())
                    .end(body);
        });
    }
}
