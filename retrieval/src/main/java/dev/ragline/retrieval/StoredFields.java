package dev.ragline.retrieval;

/** Names under which every store keeps a chunk's fields (Lucene stored fields, Qdrant payload keys). */
public final class StoredFields {
    private StoredFields() {
    }

    public static final String DOCUMENT_ID = "document_id";
    public static final String VERSION = "version";
    public static final String INDEX = "index";
    public static final String TEXT = "text";
    public static final String TITLE = "title";
    public static final String HEADING = "heading";
    public static final String START_OFFSET = "start_offset";
    public static final String END_OFFSET = "end_offset";
}
