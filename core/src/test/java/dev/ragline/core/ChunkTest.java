package dev.ragline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChunkTest {

    @Test
    void chunkIdsAreDeterministicAndDistinguishPositionAndVersion() {
        assertThat(Chunk.idFor("doc-1", 1, 0)).isEqualTo(Chunk.idFor("doc-1", 1, 0));
        assertThat(Chunk.idFor("doc-1", 1, 0)).isNotEqualTo(Chunk.idFor("doc-1", 1, 1));
        assertThat(Chunk.idFor("doc-1", 1, 0)).isNotEqualTo(Chunk.idFor("doc-1", 2, 0));
        assertThat(Chunk.idFor("doc-1", 1, 10)).isNotEqualTo(Chunk.idFor("doc-11", 1, 0));
    }

    @Test
    void filterMatchesAllConditionsAndDocumentId() {
        Chunk chunk = new Chunk("id", "doc-1", 1, 0, "text", "t", "", 0, 4, Map.of("lang", "en", "team", "search"));
        assertThat(new MetadataFilter(Map.of("lang", List.of("en", "de"))).matches(chunk)).isTrue();
        assertThat(new MetadataFilter(Map.of("lang", List.of("en"), "team", List.of("ml"))).matches(chunk)).isFalse();
        assertThat(MetadataFilter.equalTo(MetadataFilter.DOCUMENT_ID, "doc-1").matches(chunk)).isTrue();
        assertThat(MetadataFilter.equalTo("missing", "x").matches(chunk)).isFalse();
        assertThat(MetadataFilter.NONE.matches(chunk)).isTrue();
        var both = new MetadataFilter(Map.of("lang", List.of("en", "de"))).and(new MetadataFilter(Map.of("lang", List.of("de"), "team", List.of("search"))));
        assertThat(both).hasValueSatisfying(f -> assertThat(f.anyOf()).isEqualTo(Map.of("lang", List.of("de"), "team", List.of("search"))));
        assertThat(MetadataFilter.equalTo("lang", "en").and(MetadataFilter.equalTo("lang", "fr"))).isEmpty();
        assertThatThrownBy(() -> new MetadataFilter(Map.of("lang", List.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lang");
    }
}
