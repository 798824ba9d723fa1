package dev.ragline.evaluation.routing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a set of routing decisions costs against sending every request to the decoder, under a {@link CostModel}.
 *
 * @param requests          number of routed requests
 * @param counts            requests per route (DIRECT, GENERATE, ABSTAIN, all present)
 * @param shares            counts / requests
 * @param cost              total cost routed
 * @param baselineCost      total cost if every request went retrieval + decoder
 * @param costSaved         baselineCost - cost
 * @param costSavedShare    costSaved / baselineCost
 * @param meanLatencyMs     mean latency per request routed
 * @param baselineLatencyMs mean latency per request of the baseline
 * @param latencySavedMs    mean latency saved per request
 */
public record RoutingEconomics(long requests, Map<String, Long> counts, Map<String, Double> shares, double cost,
                               double baselineCost, double costSaved, double costSavedShare, double meanLatencyMs,
                               double baselineLatencyMs, double latencySavedMs) {

    public static final List<String> ROUTES = List.of("DIRECT", "GENERATE", "ABSTAIN");

    /** @param routes one route name per request */
    public static RoutingEconomics of(List<String> routes, CostModel model) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String r : routes) counts.merge(r, 1L, Long::sum);
        return of(counts, model);
    }

    /** @param routeCounts requests per route name; routes not named count zero */
    public static RoutingEconomics of(Map<String, Long> routeCounts, CostModel model) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String r : ROUTES) counts.put(r, 0L);
        double cost = 0, latency = 0;
        long n = 0;
        for (Map.Entry<String, Long> e : routeCounts.entrySet()) {
            CostModel.Stage s = model.route(e.getKey()); // rejects unknown routes
            long c = e.getValue();
            if (c < 0) throw new IllegalArgumentException("negative count for " + e.getKey());
            counts.merge(e.getKey(), c, Long::sum);
            cost += c * s.cost();
            latency += c * s.latencyMs();
            n += c;
        }
        if (n == 0) throw new IllegalArgumentException("no routed requests");
        Map<String, Double> shares = new LinkedHashMap<>();
        final long total = n;
        counts.forEach((r, c) -> shares.put(r, (double) c / total));
        double baselineCost = n * model.baseline().cost();
        double baselineLatency = model.baseline().latencyMs();
        return new RoutingEconomics(n, counts, shares, cost, baselineCost, baselineCost - cost,
                baselineCost == 0 ? 0 : (baselineCost - cost) / baselineCost, latency / n, baselineLatency,
                baselineLatency - latency / n);
    }
}
