package dev.ragline.app.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Schema(description = "A text to classify into one of the trained intents.")
public record ClassifyRequest(
        @Schema(description = "The text (a user query).", example = "what is my card's spending limit", required = true)
        @NotBlank(message = "must not be blank") @Size(max = 4000, message = "must be at most 4000 characters")
        String text,
        @Schema(description = "How many labels to return with their probabilities (1-50).", defaultValue = "5")
        @Min(value = 1, message = "must be between 1 and 50") @Max(value = 50, message = "must be between 1 and 50")
        Integer topK) {

    public int topKOrDefault() {
        return topK == null ? 5 : topK;
    }
}
