package dev.ragline.classifier.metrics;

/**
 * One bin of a reliability diagram: confidences in {@code (lower, upper]} (the first bin also holds 0).
 * For an empty bin {@code meanConfidence} and {@code accuracy} are null.
 */
public record ReliabilityBin(double lower, double upper, int count, Double meanConfidence, Double accuracy) {
}
