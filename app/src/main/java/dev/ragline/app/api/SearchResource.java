package dev.ragline.app.api;

import dev.ragline.core.ChunkStore;
import dev.ragline.core.Encoder;
import dev.ragline.core.MetadataFilter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/v1/search")
@Tag(name = "search")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class SearchResource {

    @Inject Encoder encoder;
    @Inject ChunkStore store;
    @Inject MeterRegistry registry;

    @POST
    @Operation(summary = "Ranked chunks most similar to the query, optionally restricted by a metadata filter.")
    @APIResponse(responseCode = "200", description = "Ranked chunks, best first.")
    @APIResponse(responseCode = "400", description = "Invalid request; the body says what is wrong.")
    public SearchResponse search(@Valid @NotNull(message = "a JSON body is required") SearchRequest request) {
        MetadataFilter filter = Filters.parse(request.filter());
        long start = System.nanoTime();
        var hits = store.search(encoder.embedQuery(request.query()), request.kOrDefault(), filter);
        long took = System.nanoTime() - start;
        Timer.builder("ragline.search.latency").description("Query encoding plus vector search")
                .publishPercentileHistogram().register(registry).record(java.time.Duration.ofNanos(took));
        return new SearchResponse(request.query(), request.kOrDefault(), took / 1e6,
                hits.stream().map(SearchResponse.Hit::of).toList());
    }
}
