package dev.ragline.classifier.routing;

/**
 * A routing decision.
 *
 * @param intent     the predicted intent (also given for GENERATE and ABSTAIN, for logging)
 * @param confidence its calibrated probability
 * @param answer     how to answer, for DIRECT only (null otherwise)
 */
public record Route(RouteType type, String reason, String intent, double confidence, double oosScore, DirectAnswer answer) {
}
