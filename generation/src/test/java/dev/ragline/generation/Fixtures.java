package dev.ragline.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragline.core.Chunk;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Committed test material: three SQuAD 2.0 paragraphs (squad-paragraphs.json) and the committed reader. */
final class Fixtures {
    static final Path READER = Path.of("models/ragline-reader-v1.gguf");
    static final Path PROVENANCE = Path.of("models/ragline-reader-v1.provenance.json");

    record Paragraph(Chunk chunk, List<String> questions, List<List<String>> answers) {
    }

    private Fixtures() {
    }

    static List<Paragraph> paragraphs() {
        try (InputStream in = Fixtures.class.getResourceAsStream("/squad-paragraphs.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            List<Paragraph> out = new ArrayList<>();
            int i = 0;
            for (JsonNode p : root.get("paragraphs")) {
                String doc = "doc-" + i;
                Chunk c = new Chunk(Chunk.idFor(doc, 1, 0), doc, 1, 0, p.get("context").asText(), p.get("title").asText(),
                        "", 100, 100 + p.get("context").asText().length(), Map.of());
                List<String> qs = new ArrayList<>();
                List<List<String>> as = new ArrayList<>();
                for (JsonNode q : p.get("qas")) {
                    qs.add(q.get("question").asText());
                    List<String> a = new ArrayList<>();
                    q.get("answers").forEach(x -> a.add(x.asText()));
                    as.add(a);
                }
                out.add(new Paragraph(c, qs, as));
                i++;
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Chunk chunk(String doc, String title, String text) {
        return new Chunk(Chunk.idFor(doc, 1, 0), doc, 1, 0, text, title, "", 0, text.length(), Map.of());
    }
}
