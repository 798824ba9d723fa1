package dev.ragline.evaluation.faithfulness;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads answers to judge, one JSON object per line:
 * {@code {"id":"q1","question":"...","answer":"Paris [1].","passages":[{"id":"d7","text":"..."}],"citations":[1]}}
 * ({@code citations} optional). Blank lines are allowed; anything else that does not parse is an error naming the line.
 */
public final class AnswersFile {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private AnswersFile() {
    }

    public static List<GeneratedAnswer> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read answers file " + file, e);
        }
        List<GeneratedAnswer> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) continue;
            try {
                out.add(MAPPER.readValue(line, GeneratedAnswer.class));
            } catch (JsonProcessingException | NullPointerException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": not an answer record: "
                        + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + " holds no answers");
        return out;
    }
}
