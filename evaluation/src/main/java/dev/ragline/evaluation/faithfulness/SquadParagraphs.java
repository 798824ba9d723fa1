package dev.ragline.evaluation.faithfulness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Paragraphs of a SQuAD (1.1 or 2.0) JSON file, with their questions; what the judge benchmark is built from. */
public record SquadParagraphs(List<Paragraph> paragraphs) {

    public record Paragraph(String article, String context, List<Question> questions) {
    }

    public record Question(String id, String question, boolean impossible, List<Answer> answers) {
    }

    public record Answer(String text, int start) {
    }

    public static SquadParagraphs read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read SQuAD file " + file, e);
        }
        JsonNode data = root.path("data");
        if (!data.isArray()) throw new IllegalArgumentException(file + ": no top-level \"data\" array, not SQuAD JSON");
        List<Paragraph> out = new ArrayList<>();
        for (JsonNode article : data) {
            String title = article.path("title").asText("");
            for (JsonNode p : article.path("paragraphs")) {
                String context = p.path("context").asText(null);
                if (context == null) throw new IllegalArgumentException(file + ": paragraph without context in " + title);
                List<Question> questions = new ArrayList<>();
                for (JsonNode qa : p.path("qas")) {
                    List<Answer> answers = new ArrayList<>();
                    for (JsonNode a : qa.path("answers"))
                        answers.add(new Answer(a.path("text").asText(), a.path("answer_start").asInt(-1)));
                    questions.add(new Question(qa.path("id").asText(), qa.path("question").asText(),
                            qa.path("is_impossible").asBoolean(false), answers));
                }
                out.add(new Paragraph(title, context, questions));
            }
        }
        return new SquadParagraphs(out);
    }
}
