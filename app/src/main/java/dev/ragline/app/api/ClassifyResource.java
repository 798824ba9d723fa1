package dev.ragline.app.api;

import dev.ragline.app.wiring.IntentRouting;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.security.RolesAllowed;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/v1/classify")
@Tag(name = "classify")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("query")
public class ClassifyResource {

    @Inject IntentRouting routing;
    @Inject MeterRegistry registry;

    @POST
    @Operation(summary = "Intent, calibrated probability, top labels, out-of-scope score and the route they imply.")
    @APIResponse(responseCode = "200", description = "The classification and its route.")
    @APIResponse(responseCode = "400", description = "Invalid request; the body says what is wrong.")
    @APIResponse(responseCode = "503", description = "The classifier is disabled.")
    public ClassifyResponse classify(@Valid @NotNull(message = "a JSON body is required") ClassifyRequest request) {
        long start = System.nanoTime();
        var classification = routing.classify(request.text(), request.topKOrDefault());
        var route = routing.route(classification);
        long took = System.nanoTime() - start;
        Timer.builder("ragline.classify.latency").description("Encoding plus classification head and routing")
                .register(registry).record(Duration.ofNanos(took));
        registry.counter("ragline.route.decisions", "route", route.type().name()).increment();
        return ClassifyResponse.of(classification, route, took / 1e6);
    }
}
