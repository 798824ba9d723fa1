package dev.ragline.app.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Schema(description = "A question to answer: routed by the intent classifier, answered directly or from retrieved passages.")
public record AskRequest(
        @Schema(description = "The question.", example = "How often should I replace the brake pads?", required = true)
        @NotBlank(message = "must not be blank") @Size(max = 2000, message = "must be at most 2000 characters")
        String question,
        @Schema(description = "Passages to retrieve for generation (1-20); default from ragline.ask.k.")
        @Min(value = 1, message = "must be between 1 and 20") @Max(value = 20, message = "must be between 1 and 20")
        Integer k,
        @Schema(description = "Metadata filter for retrieval, as in /v1/search.")
        Map<String, Object> filter,
        @Schema(description = "Retrieval mode for the passages, as in /v1/search: dense, keyword or hybrid.",
                enumeration = {"dense", "keyword", "hybrid"})
        String mode,
        @Schema(description = "Rerank the retrieved passages with the configured cross-encoder, as in /v1/search.",
                defaultValue = "false")
        Boolean rerank) {

    public AskRequest(String question, Integer k, Map<String, Object> filter) {
        this(question, k, filter, null, null);
    }

    public AskRequest(String question, Integer k, Map<String, Object> filter, String mode) {
        this(question, k, filter, mode, null);
    }
}
