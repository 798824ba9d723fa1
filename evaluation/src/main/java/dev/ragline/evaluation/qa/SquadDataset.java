package dev.ragline.evaluation.qa;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** A SQuAD 2.0 JSON file (data[].paragraphs[].context / qas[]), optionally restricted to some articles. */
public record SquadDataset(List<Article> articles) {

    public record Article(String title, List<Paragraph> paragraphs) {
    }

    public record Paragraph(String context, List<Question> questions) {
    }

    /** answers: gold texts (empty for an unanswerable question). */
    public record Question(String id, String question, List<String> answers, boolean impossible) {
    }

    public static SquadDataset read(Path file) {
        try {
            JsonNode root = new ObjectMapper().readTree(file.toFile());
            if (!root.path("data").isArray()) throw new IllegalArgumentException(file + " is not SQuAD JSON: no data[]");
            List<Article> articles = new ArrayList<>();
            for (JsonNode a : root.get("data")) {
                List<Paragraph> paragraphs = new ArrayList<>();
                for (JsonNode p : a.path("paragraphs")) {
                    List<Question> qs = new ArrayList<>();
                    for (JsonNode q : p.path("qas")) {
                        List<String> answers = new ArrayList<>();
                        q.path("answers").forEach(x -> answers.add(x.path("text").asText()));
                        qs.add(new Question(q.path("id").asText(), q.path("question").asText(), answers,
                                q.path("is_impossible").asBoolean(false)));
                    }
                    paragraphs.add(new Paragraph(p.path("context").asText(), qs));
                }
                articles.add(new Article(a.path("title").asText(), paragraphs));
            }
            return new SquadDataset(articles);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Only the named articles; every name must exist (a typo must not shrink the evaluation silently). */
    public SquadDataset only(Set<String> titles) {
        List<Article> kept = articles.stream().filter(a -> titles.contains(a.title())).toList();
        if (kept.size() != titles.size())
            throw new IllegalArgumentException("articles not found: " + titles.stream()
                    .filter(t -> kept.stream().noneMatch(a -> a.title().equals(t))).toList());
        return new SquadDataset(kept);
    }

    public int questionCount() {
        return articles.stream().flatMap(a -> a.paragraphs().stream()).mapToInt(p -> p.questions().size()).sum();
    }
}
