package dev.ragline.app.api;

import dev.ragline.classifier.Classification;
import dev.ragline.classifier.routing.Route;
import java.util.List;
import java.util.Map;

/**
 * The classifier's answer and the route it implies. {@code probability} is calibrated (temperature-scaled).
 * {@code outOfScopeScore}: higher means more likely outside every trained intent.
 */
public record ClassifyResponse(String label, double probability, List<LabelProbability> topLabels,
                               boolean outOfScope, double outOfScopeScore, String outOfScopeMethod,
                               RouteInfo route, double tookMs) {

    public record LabelProbability(String label, double probability) {
    }

    /** {@code type}: DIRECT, GENERATE or ABSTAIN; {@code reason} says which rule decided, with its numbers. */
    public record RouteInfo(String type, String reason, String intent, double confidence, String template,
                            Map<String, List<String>> passageFilter) {
        public static RouteInfo of(Route route) {
            var answer = route.answer();
            return new RouteInfo(route.type().name(), route.reason(), route.intent(), route.confidence(),
                    answer == null ? null : answer.template(),
                    answer == null || answer.passageFilter() == null ? null : answer.passageFilter().anyOf());
        }
    }

    public static ClassifyResponse of(Classification c, Route route, double tookMs) {
        return new ClassifyResponse(c.label(), c.probability(),
                c.topLabels().stream().map(l -> new LabelProbability(l.label(), l.probability())).toList(),
                c.outOfScope(), c.oosScore(), c.oosMethod().name(), RouteInfo.of(route), tookMs);
    }
}
