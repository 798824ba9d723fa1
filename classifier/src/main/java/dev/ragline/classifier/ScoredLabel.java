package dev.ragline.classifier;

/** A label with its calibrated probability. */
public record ScoredLabel(String label, double probability) {
}
