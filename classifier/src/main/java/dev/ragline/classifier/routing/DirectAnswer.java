package dev.ragline.classifier.routing;

import dev.ragline.core.MetadataFilter;

/**
 * How a directly answered intent is answered: a fixed response template, and/or the best passage from
 * documents matching {@code passageFilter} (for example {@code intent = card_arrival}). At least one.
 */
public record DirectAnswer(String intent, String template, MetadataFilter passageFilter) {
    public DirectAnswer {
        if ((template == null || template.isBlank()) && (passageFilter == null || passageFilter.isEmpty()))
            throw new IllegalArgumentException("direct answer for intent '" + intent + "' needs a template or a passage filter");
    }
}
