package dev.ragline.app.api;

import dev.ragline.core.ChunkStore;
import dev.ragline.core.Encoder;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchMode;
import dev.ragline.core.SearchQuery;
import dev.ragline.app.config.RaglineConfig;
import dev.ragline.app.security.AccessControl;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import dev.ragline.app.wiring.Reranking;
import dev.ragline.app.wiring.SearchBulkhead;
import dev.ragline.core.SearchHit;
import java.util.List;
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
@RolesAllowed("query")
public class SearchResource {

    @Inject Encoder encoder;
    @Inject ChunkStore store;
    @Inject MeterRegistry registry;
    @Inject RaglineConfig config;
    @Inject SecurityIdentity caller;
    @Inject Reranking reranking;
    @Inject SearchBulkhead bulkhead;

    @POST
    @Operation(summary = "Ranked chunks of the caller's tenant most similar to the query, optionally restricted by a metadata filter.")
    @APIResponse(responseCode = "200", description = "Ranked chunks, best first.")
    @APIResponse(responseCode = "400", description = "Invalid request; the body says what is wrong.")
    @APIResponse(responseCode = "429", description = "Too many searches waiting (ragline.search.max-waiting); retry after Retry-After.")
    @APIResponse(responseCode = "503", description = "No search slot came free within ragline.search.max-wait; retry after Retry-After.")
    public SearchResponse search(@Valid @NotNull(message = "a JSON body is required") SearchRequest request) {
        MetadataFilter filter = Filters.parse(request.filter());
        SearchMode mode = SearchModes.parse(request.mode(), defaultMode(config), store);
        boolean rerank = reranking.requested(request.rerank());
        long start = System.nanoTime(); // the wait for a slot counts: it is part of what the caller waits
        List<SearchHit> hits;
        try (var slot = bulkhead.acquire()) {
            float[] vector = mode.usesVector() ? encoder.embedQuery(request.query()) : null;
            hits = reranking.search(AccessControl.tenantOf(caller), store,
                    new SearchQuery(request.query(), vector, request.kOrDefault(), filter, mode), rerank);
        }
        long took = System.nanoTime() - start;
        Timer.builder("ragline.search.latency").description("Query encoding plus search")
                .tag("mode", mode.wireName())
                .publishPercentileHistogram().register(registry).record(java.time.Duration.ofNanos(took));
        return new SearchResponse(request.query(), request.kOrDefault(), mode.wireName(), rerank, took / 1e6,
                hits.stream().map(SearchResponse.Hit::of).toList());
    }

    static SearchMode defaultMode(RaglineConfig config) {
        return SearchMode.parse(config.store().search().mode());
    }
}
