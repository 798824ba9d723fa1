package dev.ragline.evaluation.routing;

import java.util.Map;

/**
 * Per-request cost and latency of each stage, used to price a routing decision. Routes use stages as follows:
 * <pre>
 *   DIRECT    classifier
 *   ABSTAIN   classifier + retrieval   (abstains after seeing nothing retrieved supports an answer)
 *   GENERATE  classifier + retrieval + decoder
 *   baseline  retrieval + decoder      (every request to the decoder, no classifier)
 * </pre>
 * Costs are in any unit (for example USD or GPU-seconds) as long as all three agree; latencies in milliseconds.
 * The defaults are placeholders of the right order for this machine's small models, not measurements: give real
 * ones with the harness options.
 */
public record CostModel(Stage classifier, Stage retrieval, Stage decoder) {

    /** Cost and latency of one request through one stage. */
    public record Stage(double cost, double latencyMs) {
        public Stage {
            if (!(cost >= 0) || !(latencyMs >= 0))
                throw new IllegalArgumentException("cost and latency must be >= 0, got " + cost + ", " + latencyMs);
        }
    }

    public static CostModel defaults() {
        return new CostModel(new Stage(0.00001, 15), new Stage(0.00002, 25), new Stage(0.002, 1500));
    }

    public Stage route(String route) {
        return switch (route) {
            case "DIRECT" -> classifier;
            case "ABSTAIN" -> sum(classifier, retrieval);
            case "GENERATE" -> sum(sum(classifier, retrieval), decoder);
            default -> throw new IllegalArgumentException("unknown route " + route + " (DIRECT, GENERATE, ABSTAIN)");
        };
    }

    public Stage baseline() {
        return sum(retrieval, decoder);
    }

    public Map<String, Object> asMap() {
        return Map.of("classifier", classifier, "retrieval", retrieval, "decoder", decoder);
    }

    private static Stage sum(Stage a, Stage b) {
        return new Stage(a.cost + b.cost, a.latencyMs + b.latencyMs);
    }
}
