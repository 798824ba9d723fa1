package dev.ragline.app.wiring;

import dev.ragline.app.api.AskResponse;
import dev.ragline.app.api.AskResponse.CitedPassage;
import dev.ragline.app.api.ClassifyResponse.RouteInfo;
import dev.ragline.app.config.RaglineConfig;
import dev.ragline.classifier.routing.RouteType;
import dev.ragline.core.ChunkStore;
import dev.ragline.core.Encoder;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchMode;
import dev.ragline.core.SearchQuery;
import dev.ragline.core.Tenant;
import dev.ragline.core.SearchHit;
import dev.ragline.generation.AnswerListener;
import dev.ragline.generation.GroundedAnswer;
import dev.ragline.generation.GroundedPrompt;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ask flow: classify → route → answer. DIRECT answers from the intent's template and/or its best passage;
 * GENERATE retrieves top-k passages and lets the decoder answer from them with citations; an out-of-scope
 * question is generated for only when retrieval finds a passage that scores well enough, else it is abstained on
 * without calling the decoder.
 */
@Singleton
public class AskService {

    /** Receives the answer as it is produced: the route, then answer text pieces, then the final response. */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        default void route(RouteInfo route) {
        }

        default void token(String text) {
        }
    }

    private final Encoder encoder;
    private final ChunkStore store;
    private final IntentRouting routing;
    private final Decoder decoder;
    private final RaglineConfig.Ask config;
    private final SearchMode defaultMode;
    private final MeterRegistry registry;
    private final Reranking reranking;
    private final AskBulkhead bulkhead;

    public AskService(Encoder encoder, ChunkStore store, IntentRouting routing, Decoder decoder, RaglineConfig config,
                      MeterRegistry registry, Reranking reranking, AskBulkhead bulkhead) {
        this.reranking = reranking;
        this.encoder = encoder;
        this.store = store;
        this.routing = routing;
        this.decoder = decoder;
        this.config = config.ask();
        this.defaultMode = SearchMode.parse(config.store().search().mode());
        this.registry = registry;
        this.bulkhead = bulkhead;
    }

    public AskResponse ask(Tenant tenant, String question, Integer k, MetadataFilter filter, Listener listener) {
        return ask(tenant, question, k, filter, defaultMode, listener);
    }

    public SearchMode defaultMode() {
        return defaultMode;
    }

    /**
     * Routes and answers. Passages are retrieved in {@code mode}; the out-of-scope rule compares the best dense-leg
     * cosine of the retrieved passages with {@code min-retrieval-score} (in keyword mode there is none: it abstains).
     * Only the tenant's documents are searched, whatever the filter says.
     */
    public AskResponse ask(Tenant tenant, String question, Integer k, MetadataFilter filter, SearchMode mode, Listener listener) {
        return ask(tenant, question, k, filter, mode, false, listener);
    }

    /** As above; with {@code rerank} the passages go through the reranking stage (checked by {@link Reranking#requested}). */
    public AskResponse ask(Tenant tenant, String question, Integer k, MetadataFilter filter, SearchMode mode, boolean rerank,
                           Listener listener) {
        try (var slot = new DecoderSlot()) {
            return ask(tenant, question, k, filter, mode, rerank, listener, slot);
        }
    }

    /**
     * The decoder slot of one ask, taken at most once and only for GENERATE: a question classified GENERATE takes it
     * before retrieval, so that under saturation a refusal costs only the classification; one rerouted to GENERATE
     * after retrieval takes it then.
     */
    private final class DecoderSlot implements AutoCloseable {
        private AskBulkhead.Slot held;

        void take() {
            if (held == null) held = bulkhead.acquire();
        }

        @Override
        public void close() {
            if (held != null) held.close();
        }
    }

    private AskResponse ask(Tenant tenant, String question, Integer k, MetadataFilter filter, SearchMode mode,
                            boolean rerank, Listener listener, DecoderSlot slot) {
        long start = System.nanoTime();
        RouteInfo route;
        if (routing.enabled()) {
            route = RouteInfo.of(routing.route(routing.classify(question, 3)));
        } else {
            route = new RouteInfo(RouteType.GENERATE.name(), "intent classifier disabled: every question is generated for",
                    null, 0, null, null);
        }
        long classified = System.nanoTime();
        if (RouteType.GENERATE.name().equals(route.type())) slot.take();

        // Encoded only when something is searched: a DIRECT answer from a template needs no vector.
        var query = new Object() {
            float[] vector;
            float[] get() {
                if (vector == null) vector = encoder.embedQuery(question);
                return vector;
            }
        };
        int topK = k == null ? config.k() : k;
        List<SearchHit> hits = List.of();
        if (RouteType.DIRECT.name().equals(route.type())) {
            hits = route.passageFilter() == null ? List.of()
                    : filter.and(new MetadataFilter(route.passageFilter()))
                            .map(f -> reranking.search(tenant, store, new SearchQuery(question, mode.usesVector() ? query.get() : null, 1, f, mode), rerank))
                            .orElse(List.of());
            if (route.template() == null && hits.isEmpty()) {
                route = reroute(route, RouteType.GENERATE, "; no passage is tagged for intent '" + route.intent()
                        + "', so the decoder answers from retrieved passages");
            }
        }
        if (!RouteType.DIRECT.name().equals(route.type())) {
            hits = reranking.search(tenant, store, new SearchQuery(question, mode.usesVector() ? query.get() : null, topK, filter, mode), rerank);
            if (RouteType.ABSTAIN.name().equals(route.type())) {
                double best = hits.stream().filter(h -> h.dense() != null).mapToDouble(h -> h.dense().score())
                        .max().orElse(0);
                if (best >= config.minRetrievalScore()) {
                    route = reroute(route, RouteType.GENERATE, String.format(
                            "; but the best retrieved passage scores %.3f >= %.3f, so the decoder answers from the passages",
                            best, config.minRetrievalScore()));
                } else {
                    route = reroute(route, RouteType.ABSTAIN, String.format(
                            "; and no retrieved passage scores %.3f or more (best %.3f)", config.minRetrievalScore(), best));
                }
            }
        }
        long retrieved = System.nanoTime();
        registry.counter("ragline.ask.routes", "route", route.type()).increment();

        // The route is told after the slot is taken, so that a refusal (429/503) comes before anything was streamed
        // and can be a plain error response.
        AskResponse response = switch (RouteType.valueOf(route.type())) {
            case DIRECT -> {
                listener.route(route);
                yield direct(question, route, hits, listener, start, classified, retrieved);
            }
            case ABSTAIN -> {
                listener.route(route);
                listener.token(GroundedPrompt.ABSTAIN);
                yield new AskResponse(question, route, GroundedPrompt.ABSTAIN, true, List.of(), 0, null,
                        latency(start, classified, retrieved, retrieved));
            }
            case GENERATE -> {
                slot.take();
                listener.route(route);
                yield generate(question, route, hits, listener, start, classified, retrieved);
            }
        };
        registry.timer("ragline.ask.latency", "route", route.type())
                .record(java.time.Duration.ofNanos(System.nanoTime() - start));
        return response;
    }

    private AskResponse direct(String question, RouteInfo route, List<SearchHit> hits, Listener listener,
                               long start, long classified, long retrieved) {
        String answer = route.template() != null ? route.template() : hits.get(0).chunk().text();
        listener.token(answer);
        List<CitedPassage> citations = hits.isEmpty() ? List.of() : List.of(cite(1, hits.get(0), answer));
        return new AskResponse(question, route, answer, false, citations, 0, null,
                latency(start, classified, retrieved, System.nanoTime()));
    }

    private AskResponse generate(String question, RouteInfo route, List<SearchHit> hits, Listener listener,
                                 long start, long classified, long retrieved) {
        var answerer = decoder.answerer();
        GroundedAnswer answer = answerer.answer(question, hits.stream().map(SearchHit::chunk).toList(),
                new AnswerListener() {
                    @Override public void onToken(String token) { listener.token(token); }
                    @Override public void onComplete(GroundedAnswer ignored) { }
                });
        // A citation names its chunk; its number is the answerer's own (passages it was shown), not a hit position.
        Map<String, SearchHit> byChunk = new HashMap<>();
        hits.forEach(h -> byChunk.putIfAbsent(h.chunk().id(), h));
        List<CitedPassage> citations = answer.citations().stream().map(c -> {
            SearchHit hit = byChunk.get(c.chunkId());
            if (hit == null) throw new IllegalStateException("answerer cited chunk " + c.chunkId() + ", which was not retrieved");
            var chunk = hit.chunk();
            return new CitedPassage(c.passage(), chunk.documentId(), chunk.id(), chunk.title(), chunk.heading(),
                    chunk.text(), hit.score(), c.start(), c.end(), c.documentStart(), c.documentEnd());
        }).toList();
        if (answer.droppedCitations() > 0) registry.counter("ragline.ask.dropped_citations").increment(answer.droppedCitations());
        return new AskResponse(question, route, answer.answer(), answer.abstained(), citations,
                answer.droppedCitations(), answerer.modelId(),
                latency(start, classified, retrieved, System.nanoTime()));
    }

    private static CitedPassage cite(int passage, SearchHit hit, String answer) {
        var chunk = hit.chunk();
        int at = chunk.text().indexOf(answer);
        int end = at < 0 ? -1 : at + answer.length();
        return new CitedPassage(passage, chunk.documentId(), chunk.id(), chunk.title(), chunk.heading(), chunk.text(),
                hit.score(), at, end, at < 0 ? -1 : chunk.startOffset() + at, at < 0 ? -1 : chunk.startOffset() + end);
    }

    private static RouteInfo reroute(RouteInfo route, RouteType type, String why) {
        return new RouteInfo(type.name(), route.reason() + why, route.intent(), route.confidence(),
                type == RouteType.DIRECT ? route.template() : null,
                type == RouteType.DIRECT ? route.passageFilter() : null);
    }

    private static AskResponse.Latency latency(long start, long classified, long retrieved, long generated) {
        return new AskResponse.Latency((classified - start) / 1e6, (retrieved - classified) / 1e6,
                (generated - retrieved) / 1e6, (System.nanoTime() - start) / 1e6);
    }
}
