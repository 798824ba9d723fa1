package dev.ragline.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * End-to-end {@code /v1/ask} latency against a running service (start it with {@code bin/run}), one request at a
 * time: per route, the mean and percentiles of the service's own breakdown (classify, retrieve, generate) and of
 * the wall time seen by the client.
 *
 * <pre>./mvnw -B -q -pl app -am verify -DskipTests -Pbench-ask [-Dbench.args="http://localhost:8080 5"]</pre>
 */
public final class AskLatencyBenchmark {
    private static final List<String> QUESTIONS = List.of(
            "hello there!",                                            // small talk: DIRECT from a template
            "thank you so much",                                       // small talk: DIRECT
            "what is the credit limit on my card",                     // a confident intent with no direct answer
            "How often should I replace the brake pads?",              // sample corpus, out of the intents
            "How long does the battery take to charge?",
            "What does error code E07 mean?",
            "Can I ride the bike in the snow?",
            "zorblax quintessence of the purple hyperdrive festival?"  // nothing supports it
    );

    public static void main(String[] args) throws Exception {
        String base = args.length > 0 ? args[0] : "http://localhost:8080";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        var http = HttpClient.newHttpClient();
        var json = new ObjectMapper();
        Map<String, List<double[]>> byRoute = new TreeMap<>();
        for (String q : QUESTIONS) ask(http, json, base, q); // warm-up
        for (int round = 0; round < rounds; round++) {
            for (String q : QUESTIONS) {
                long start = System.nanoTime();
                JsonNode answer = ask(http, json, base, q);
                double wall = (System.nanoTime() - start) / 1e6;
                JsonNode l = answer.get("latencyMs");
                byRoute.computeIfAbsent(answer.at("/route/type").asText(), r -> new ArrayList<>()).add(new double[]{
                        l.get("classify").asDouble(), l.get("retrieve").asDouble(), l.get("generate").asDouble(),
                        l.get("total").asDouble(), wall});
            }
        }
        System.out.printf("%-9s %5s  %-22s %-22s %-22s %-22s %-22s%n", "route", "n", "classify ms (mean/p95)",
                "retrieve ms", "generate ms", "service total ms", "client wall ms");
        byRoute.forEach((route, rows) -> {
            System.out.printf("%-9s %5d", route, rows.size());
            for (int c = 0; c < 5; c++) {
                final int col = c;
                double[] v = rows.stream().mapToDouble(r -> r[col]).sorted().toArray();
                System.out.printf("  %-22s", String.format("%.1f / %.1f", Arrays.stream(v).average().orElse(0),
                        v[Math.min(v.length - 1, (int) Math.ceil(0.95 * v.length) - 1)]));
            }
            System.out.println();
        });
    }

    private static JsonNode ask(HttpClient http, ObjectMapper json, String base, String question) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(base + "/v1/ask")).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("question", question)))).build();
        var response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) throw new IllegalStateException(response.statusCode() + ": " + response.body());
        return json.readTree(response.body());
    }
}
