package dev.ragline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TenantTest {
    private final Tenant acme = new Tenant("acme");
    private final Tenant globex = new Tenant("globex");

    @Test
    void namesAreRestrictedSoTheSeparatorIsUnambiguous() {
        for (String bad : new String[] {"", "Acme", "a/b", "-x", "a b", "x".repeat(64), "é"})
            assertThatThrownBy(() -> new Tenant(bad)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tenant");
        assertThatThrownBy(() -> new Tenant(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Tenant("team-7_x").name()).isEqualTo("team-7_x");
        assertThat(acme.qualify("a/b")).isEqualTo("acme/a/b");
        assertThat(acme.unqualify("acme/a/b")).isEqualTo("a/b");
        assertThatThrownBy(() -> acme.unqualify("globex/a")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void sameDocumentIdInTwoTenantsGivesDifferentChunkIds() {
        assertThat(Chunk.idFor(acme.qualify("doc-1"), 1, 0)).isNotEqualTo(Chunk.idFor(globex.qualify("doc-1"), 1, 0));
    }

    @Test
    void scopeAddsTheTenantQualifiesDocumentIdsAndCannotBeWidened() {
        var scoped = acme.scope(new MetadataFilter(Map.of("team", List.of("x"), MetadataFilter.DOCUMENT_ID, List.of("d1", "d2"))));
        assertThat(scoped).hasValueSatisfying(f -> assertThat(f.anyOf()).isEqualTo(Map.of(
                "team", List.of("x"), MetadataFilter.DOCUMENT_ID, List.of("acme/d1", "acme/d2"), Tenant.METADATA_KEY, List.of("acme"))));
        // A caller naming another tenant, or several, gets only its own or nothing.
        assertThat(acme.scope(MetadataFilter.equalTo(Tenant.METADATA_KEY, "globex"))).isEmpty();
        assertThat(acme.scope(new MetadataFilter(Map.of(Tenant.METADATA_KEY, List.of("globex", "acme")))))
                .hasValueSatisfying(f -> assertThat(f.anyOf().get(Tenant.METADATA_KEY)).containsExactly("acme"));
    }

    @Test
    void searchSeesOnlyTheTenantsChunksUnderTheCallersIds() {
        var store = new InMemoryChunkStore(2);
        float[] v = {1, 0};
        store.upsert(List.of(chunk(acme, "doc-1", "acme text", v), chunk(globex, "doc-1", "globex text", v)));
        var hits = acme.search(store, SearchQuery.dense(v, 10, MetadataFilter.NONE));
        assertThat(hits).singleElement().satisfies(h -> {
            assertThat(h.chunk().documentId()).isEqualTo("doc-1");
            assertThat(h.chunk().text()).isEqualTo("acme text");
        });
        assertThat(globex.search(store, SearchQuery.dense(v, 10, MetadataFilter.equalTo(MetadataFilter.DOCUMENT_ID, "doc-1"))))
                .singleElement().satisfies(h -> assertThat(h.chunk().text()).isEqualTo("globex text"));
        assertThat(acme.search(store, SearchQuery.dense(v, 10, MetadataFilter.equalTo(Tenant.METADATA_KEY, "globex")))).isEmpty();
    }

    private static StoredChunk chunk(Tenant tenant, String documentId, String text, float[] vector) {
        String stored = tenant.qualify(documentId);
        return new StoredChunk(new Chunk(Chunk.idFor(stored, 1, 0), stored, 1, 0, text, "", "", 0, text.length(),
                Map.of(Tenant.METADATA_KEY, tenant.name())), vector);
    }
}
