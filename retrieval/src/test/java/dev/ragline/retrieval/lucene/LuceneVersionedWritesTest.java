package dev.ragline.retrieval.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragline.core.Chunk;
import dev.ragline.core.ChunkStore;
import dev.ragline.core.DocumentState;
import dev.ragline.core.DocumentWrite;
import dev.ragline.core.StoredChunk;
import dev.ragline.core.Vectors;
import dev.ragline.retrieval.VersionedWritesContractTest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LuceneVersionedWritesTest extends VersionedWritesContractTest {
    @TempDir
    Path dir;

    @Override
    protected ChunkStore openStore(int dimension) {
        return LuceneChunkStore.open(LuceneStoreConfig.defaults(dir.resolve("index"), dimension));
    }

    @Test
    void aTermOverLucenesLimitRefusesTheWholeBatchBeforeAnythingChanges() {
        ChunkStore store = open();
        store.replaceDocument("a", 1, chunks("a", 1, 2));
        String huge = "x".repeat(40_000);
        StoredChunk bad = new StoredChunk(new Chunk(Chunk.idFor("b", 1, 0), "b", 1, 0, "t", "", "", 0, 1,
                Map.of("big", huge)), Vectors.normalize(new float[] {1, 1, 1, 1}));
        assertThatThrownBy(() -> store.write(List.of(new DocumentWrite.Replace("a", 2, chunks("a", 2, 1)),
                new DocumentWrite.Replace("b", 1, List.of(bad))), Map.of("docs/0", 7L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("meta.big").hasMessageContaining("32766");
        // The first write of the refused batch was not applied either, not even later with another commit.
        store.replaceDocument("c", 1, chunks("c", 1, 1));
        assertThat(store.documentStates(List.of("a")).get("a")).isEqualTo(new DocumentState(Map.of(1L, 2), java.util.OptionalLong.empty()));
        assertThat(store.sourcePositions(List.of("docs/0"))).isEmpty();
    }

    @Test
    void sourcePositionsSurviveAReopen() {
        ChunkStore store = open();
        store.write(List.of(new DocumentWrite.Replace("a", 1, chunks("a", 1, 1))), Map.of("docs/3", 41L));
        store.close();
        try (ChunkStore reopened = openStore(DIM)) {
            assertThat(reopened.sourcePositions(List.of("docs/3"))).containsExactlyEntriesOf(Map.of("docs/3", 41L));
            assertThat(reopened.count()).isEqualTo(1);
        }
    }
}
