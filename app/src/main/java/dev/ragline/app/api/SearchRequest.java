package dev.ragline.app.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Schema(description = "A semantic search over the indexed chunks.")
public record SearchRequest(
        @Schema(description = "Query text.", example = "How do I rotate an API key?", required = true)
        @NotBlank(message = "must not be blank") @Size(max = 4000, message = "must be at most 4000 characters")
        String query,
        @Schema(description = "Number of chunks to return (1-100).", defaultValue = "5")
        @Min(value = 1, message = "must be between 1 and 100") @Max(value = 100, message = "must be between 1 and 100")
        Integer k,
        @Schema(description = "Metadata filter: every key must match; a value is a string or a list of strings "
                + "(any of). The key document_id matches the document id.", example = "{\"team\": [\"search\", \"ml\"]}")
        Map<String, Object> filter,
        @Schema(description = "dense (vector similarity), keyword (BM25) or hybrid (both, fused by reciprocal rank "
                + "fusion); default from ragline.store.search.mode.", enumeration = {"dense", "keyword", "hybrid"},
                example = "hybrid")
        String mode,
        @Schema(description = "Re-score the first stage's top ragline.retrieval.rerank.candidates hits with the "
                + "configured cross-encoder and return the best k by its score (only when a model is configured).",
                defaultValue = "false")
        Boolean rerank) {

    public SearchRequest(String query, Integer k, Map<String, Object> filter) {
        this(query, k, filter, null, null);
    }

    public SearchRequest(String query, Integer k, Map<String, Object> filter, String mode) {
        this(query, k, filter, mode, null);
    }

    public int kOrDefault() {
        return k == null ? 5 : k;
    }
}
