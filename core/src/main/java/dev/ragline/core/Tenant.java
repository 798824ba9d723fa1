package dev.ragline.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The team a document belongs to and a caller acts for. Stores see tenants in two places, so that no filter a
 * caller writes can cross them:
 * <ul>
 * <li>the stored document id is {@code <tenant>/<document id>} ({@link #qualify}), so chunk ids (derived from it)
 * and per-document versions, markers and deletes never collide between tenants with the same document id;</li>
 * <li>every chunk carries the metadata entry {@value #METADATA_KEY}, and {@link #scope} adds it to every search
 * filter, so the store applies it inside the search (Lucene: a filter clause; Qdrant: a tenant payload index).</li>
 * </ul>
 * Names are lower-case letters, digits, {@code -} and {@code _}, at most 63 characters, so they never contain the
 * {@code /} that separates them from the document id.
 */
public record Tenant(String name) {

    // Before DEFAULT, which the constructor checks against it.
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    /** The chunk metadata key holding the tenant; reserved, events may not set it themselves. */
    public static final String METADATA_KEY = "tenant";
    /** The single tenant of the open development mode. */
    public static final Tenant DEFAULT = new Tenant("default");

    public Tenant {
        if (name == null || !NAME.matcher(name).matches())
            throw new IllegalArgumentException("tenant must be 1-63 characters of a-z, 0-9, '-' and '_', starting with a "
                    + "letter or digit, got " + (name == null ? "none" : "'" + name + "'"));
    }

    /** The id a document of this tenant is stored under. */
    public String qualify(String documentId) {
        return name + '/' + documentId;
    }

    /** The caller's document id of a stored id of this tenant. */
    public String unqualify(String storedId) {
        String prefix = name + '/';
        if (!storedId.startsWith(prefix))
            throw new IllegalStateException("document " + storedId + " is not of tenant " + name);
        return storedId.substring(prefix.length());
    }

    /**
     * The caller's filter confined to this tenant: its {@code document_id} values are qualified and the tenant
     * condition is added. Empty when the caller's own {@value #METADATA_KEY} condition names no value of this tenant
     * (then nothing can match).
     */
    public Optional<MetadataFilter> scope(MetadataFilter filter) {
        Map<String, List<String>> conditions = new LinkedHashMap<>(filter.anyOf());
        List<String> ids = conditions.get(MetadataFilter.DOCUMENT_ID);
        if (ids != null) {
            List<String> qualified = new ArrayList<>(ids.size());
            for (String id : ids) qualified.add(qualify(id));
            conditions.put(MetadataFilter.DOCUMENT_ID, qualified);
        }
        return new MetadataFilter(conditions).and(MetadataFilter.equalTo(METADATA_KEY, name));
    }

    /** A stored chunk as its tenant sees it: the document id without the tenant prefix. */
    public Chunk view(Chunk chunk) {
        return new Chunk(chunk.id(), unqualify(chunk.documentId()), chunk.version(), chunk.index(), chunk.text(),
                chunk.title(), chunk.heading(), chunk.startOffset(), chunk.endOffset(), chunk.metadata());
    }

    /** Searches the store within this tenant: the scoped filter on every leg, hits as the tenant sees them. */
    public List<SearchHit> search(ChunkStore store, SearchQuery query) {
        Optional<MetadataFilter> scoped = scope(query.filter());
        if (scoped.isEmpty()) return List.of();
        List<SearchHit> hits = store.search(new SearchQuery(query.text(), query.vector(), query.k(), scoped.get(),
                query.mode()));
        List<SearchHit> mine = new ArrayList<>(hits.size());
        for (SearchHit hit : hits) mine.add(hit.withChunk(view(hit.chunk())));
        return mine;
    }

    @Override
    public String toString() {
        return name;
    }
}
