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
 * End-to-end {@code /v1/ask} against a running service (start it with {@code bin/run}), one request at a time:
 * per route, the mean and p95 of the service's own breakdown (classify, retrieve, generate) and of the wall time
 * seen by the client. With a questions file (JSON: {@code questions[].question}, {@code questions[].answers},
 * where {@code []} means the corpus does not answer it) it also scores the answers: the share of answerable
 * questions answered correctly (not abstained, and the answer contains an accepted string, ignoring case) and
 * the share of unanswerable ones abstained on.
 *
 * <pre>./mvnw -B -q -pl app -am verify -DskipTests -Pbench-ask [-Dbench.args="http://localhost:8080 5 [QUESTIONS.json]"]</pre>
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
        List<String> questions = QUESTIONS;
        Map<String, List<String>> accepted = new java.util.LinkedHashMap<>();
        if (args.length > 2) {
            for (JsonNode q : json.readTree(new java.io.File(args[2])).get("questions")) {
                List<String> answers = new ArrayList<>();
                q.get("answers").forEach(a -> answers.add(a.asText()));
                accepted.put(q.get("question").asText(), answers);
            }
            questions = List.copyOf(accepted.keySet());
            score(http, json, base, accepted);
        }
        Map<String, List<double[]>> byRoute = new TreeMap<>();
        for (String q : questions) ask(http, json, base, q); // warm-up
        for (int round = 0; round < rounds; round++) {
            for (String q : questions) {
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

    /** Prints every question's route and answer, then the shares answered correctly and abstained correctly. */
    private static void score(HttpClient http, ObjectMapper json, String base, Map<String, List<String>> accepted) throws Exception {
        int answerable = 0, correct = 0, unanswerable = 0, abstainedRight = 0;
        Map<String, Integer> routes = new TreeMap<>();
        for (var e : accepted.entrySet()) {
            JsonNode a = ask(http, json, base, e.getKey());
            boolean abstained = a.get("abstained").asBoolean();
            String answer = a.get("answer").asText();
            String route = a.at("/route/type").asText();
            routes.merge(route, 1, Integer::sum);
            boolean ok;
            if (e.getValue().isEmpty()) {
                unanswerable++;
                ok = abstained;
                if (ok) abstainedRight++;
            } else {
                answerable++;
                String lower = answer.toLowerCase(java.util.Locale.ROOT);
                ok = !abstained && e.getValue().stream().anyMatch(x -> lower.contains(x.toLowerCase(java.util.Locale.ROOT)));
                if (ok) correct++;
            }
            System.out.printf("%-5s %-8s %-60s -> %s%n", ok ? "ok" : "WRONG", route, e.getKey(),
                    answer.length() > 90 ? answer.substring(0, 90) + "…" : answer);
        }
        System.out.printf("answerable: %d/%d answered correctly (%.1f%%); unanswerable: %d/%d abstained (%.1f%%); routes %s%n%n",
                correct, answerable, 100.0 * correct / Math.max(1, answerable), abstainedRight, unanswerable,
                100.0 * abstainedRight / Math.max(1, unanswerable), routes);
    }

    private static JsonNode ask(HttpClient http, ObjectMapper json, String base, String question) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(base + "/v1/ask")).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("question", question)))).build();
        var response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) throw new IllegalStateException(response.statusCode() + ": " + response.body());
        return json.readTree(response.body());
    }
}
