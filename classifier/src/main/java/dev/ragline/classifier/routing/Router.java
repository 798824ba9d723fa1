package dev.ragline.classifier.routing;

import dev.ragline.classifier.ClassifierArtifact;
import dev.ragline.classifier.Classification;

import java.util.Locale;

/**
 * Turns a {@link Classification} into a {@link Route}:
 * <ol>
 *   <li>ABSTAIN when the query is out of scope (score above the out-of-scope threshold, or the head
 *       predicted its out-of-scope class);</li>
 *   <li>DIRECT when the calibrated probability reaches the confidence threshold (chosen on validation
 *       for a target selective accuracy) and the intent is configured for direct answers;</li>
 *   <li>GENERATE otherwise.</li>
 * </ol>
 */
public final class Router {
    private final double confidenceThreshold;
    private final double oosThreshold;
    private final String outOfScopeLabel;
    private final RoutingConfig config;

    public Router(double confidenceThreshold, double oosThreshold, String outOfScopeLabel, RoutingConfig config) {
        this.confidenceThreshold = confidenceThreshold;
        this.oosThreshold = oosThreshold;
        this.outOfScopeLabel = outOfScopeLabel;
        this.config = config;
    }

    /** Thresholds from the artifact unless the config overrides them. */
    public static Router of(ClassifierArtifact artifact, RoutingConfig config) {
        return new Router(config.confidenceThreshold() != null ? config.confidenceThreshold() : artifact.confidenceThreshold(),
                config.oosThreshold() != null ? config.oosThreshold() : artifact.oosThreshold(),
                artifact.outOfScopeLabel(), config);
    }

    public double confidenceThreshold() {
        return confidenceThreshold;
    }

    public double oosThreshold() {
        return oosThreshold;
    }

    public Route route(Classification c) {
        if (c.label().equals(outOfScopeLabel))
            return new Route(RouteType.ABSTAIN, "predicted the out-of-scope class '" + outOfScopeLabel + "' ("
                    + fmt(c.probability()) + ")", c.label(), c.probability(), c.oosScore(), null);
        if (c.oosScore() > oosThreshold)
            return new Route(RouteType.ABSTAIN, "out of scope: " + c.oosMethod().name().toLowerCase(Locale.ROOT)
                    + " score " + fmt(c.oosScore()) + " > threshold " + fmt(oosThreshold), c.label(), c.probability(), c.oosScore(), null);
        if (c.probability() < confidenceThreshold)
            return new Route(RouteType.GENERATE, "confidence " + fmt(c.probability()) + " for '" + c.label()
                    + "' below threshold " + fmt(confidenceThreshold), c.label(), c.probability(), c.oosScore(), null);
        DirectAnswer answer = config.directAnswer(c.label());
        if (answer == null)
            return new Route(RouteType.GENERATE, "intent '" + c.label() + "' is not configured for direct answers",
                    c.label(), c.probability(), c.oosScore(), null);
        return new Route(RouteType.DIRECT, "confidence " + fmt(c.probability()) + " for '" + c.label()
                + "' at or above threshold " + fmt(confidenceThreshold), c.label(), c.probability(), c.oosScore(), answer);
    }

    private static String fmt(double v) {
        return Double.isInfinite(v) ? "none" : String.format(Locale.ROOT, "%.4f", v);
    }
}
