package dev.ragline.app.api;

import dev.ragline.app.api.ClassifyResponse.RouteInfo;
import dev.ragline.app.security.AccessControl;
import dev.ragline.app.wiring.AskService;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

@Path("/v1/ask")
@Tag(name = "ask")
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed("query")
public class AskResource {
    private static final Logger LOG = Logger.getLogger(AskResource.class);

    @Inject AskService asks;
    @Inject dev.ragline.core.ChunkStore store;
    @Inject SecurityIdentity caller;
    @Inject dev.ragline.app.wiring.Reranking reranking;

    @POST
    @Blocking
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A routed answer: DIRECT from the intent, GENERATE from retrieved passages with citations, or ABSTAIN.")
    @APIResponse(responseCode = "200", description = "The answer, its route, citations and a latency breakdown.")
    @APIResponse(responseCode = "400", description = "Invalid request; the body says what is wrong.")
    @APIResponse(responseCode = "429", description = "The decoder is saturated and its waiting line is full; see Retry-After.")
    @APIResponse(responseCode = "503", description = "Generation is off, or no decoder slot came free in time (Retry-After).")
    public AskResponse ask(@Valid @NotNull(message = "a JSON body is required") AskRequest request) {
        return asks.ask(AccessControl.tenantOf(caller), request.question(), request.k(), Filters.parse(request.filter()),
                mode(request), reranking.requested(request.rerank()), AskService.Listener.NONE);
    }

    private dev.ragline.core.SearchMode mode(AskRequest request) {
        return SearchModes.parse(request.mode(), asks.defaultMode(), store);
    }

    /**
     * Server-sent events, in this order: {@code route} (the route and its reason), {@code token} (pieces of the
     * answer as the decoder writes them, JSON {"text": ...}), {@code citations}, and {@code done} (the full
     * response, as from POST /v1/ask). A failure after the stream began is sent as an {@code error} event.
     */
    @POST
    @Path("/stream")
    @Blocking
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "The same answer streamed as server-sent events: route, token..., citations, done.")
    public void stream(@Valid @NotNull(message = "a JSON body is required") AskRequest request,
                       @Context SseEventSink sink, @Context Sse sse) {
        var filter = Filters.parse(request.filter());
        var mode = mode(request);
        var tenant = AccessControl.tenantOf(caller);
        boolean rerank = reranking.requested(request.rerank());
        var started = new java.util.concurrent.atomic.AtomicBoolean();
        try {
            AskResponse response = asks.ask(tenant, request.question(), request.k(), filter, mode, rerank, new AskService.Listener() {
                @Override public void route(RouteInfo route) { started.set(true); send(sink, sse, "route", route); }
                @Override public void token(String text) { send(sink, sse, "token", Map.of("text", text)); }
            });
            send(sink, sse, "citations", response.citations());
            send(sink, sse, "done", response);
        } catch (RuntimeException e) {
            // Before the first event nothing is committed: the error is a plain JSON response (400, 429, 503 ...).
            if (!started.get()) throw e;
            LOG.warn("streamed ask failed", e);
            send(sink, sse, "error", Map.of("message", String.valueOf(e.getMessage())));
        }
        sink.close();
    }

    private static void send(SseEventSink sink, Sse sse, String name, Object data) {
        sink.send(sse.newEventBuilder().name(name).mediaType(MediaType.APPLICATION_JSON_TYPE).data(data).build())
                .toCompletableFuture().join();
    }
}
