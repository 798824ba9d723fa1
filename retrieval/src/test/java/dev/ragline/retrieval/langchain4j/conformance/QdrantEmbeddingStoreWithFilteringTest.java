package dev.ragline.retrieval.langchain4j.conformance;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.EmbeddingStoreWithFilteringIT;
import dev.ragline.core.ChunkStore;
import dev.ragline.retrieval.langchain4j.ChunkStoreEmbeddingStore;
import org.junit.jupiter.api.AfterEach;

/** LangChain4j's own {@code EmbeddingStoreWithFilteringIT}, unchanged, over {@link ChunkStoreEmbeddingStore} on the real Qdrant store. */
class QdrantEmbeddingStoreWithFilteringTest extends EmbeddingStoreWithFilteringIT {
    private ChunkStore chunks;
    private EmbeddingStore<TextSegment> store;


    @AfterEach
    void closeStore() {
        if (chunks != null) chunks.close();
    }

    @Override
    protected EmbeddingStore<TextSegment> embeddingStore() {
        // Lazily: the suite's own @BeforeEach (which runs before ours) already uses the store. A fresh one per test.
        if (store == null) {
            chunks = Conformance.qdrant();
            store = new ChunkStoreEmbeddingStore(chunks);
        }
        return store;
    }

    @Override
    protected EmbeddingModel embeddingModel() {
        return Conformance.model();
    }

    /** The adapter evaluates containsString itself (see its class comment), so the suite's contains tests run. */
    @Override
    protected boolean supportsContains() {
        return true;
    }
}
