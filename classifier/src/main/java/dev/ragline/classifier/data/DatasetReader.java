package dev.ragline.classifier.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.RuntimeJsonMappingException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads labelled text datasets. Formats:
 * <ul>
 *   <li>{@code csv}: a header row naming a {@code text} column and a label column ({@code label},
 *       {@code category} or {@code intent}); RFC 4180 quoting (Banking77's layout).</li>
 *   <li>{@code jsonl}: one JSON object per line with {@code text} and {@code label} (or {@code intent},
 *       {@code category}); blank lines are allowed and ignored.</li>
 *   <li>{@code clinc}: the CLINC150 {@code data_full.json} layout, an object of splits, each a list of
 *       {@code [text, intent]} pairs.</li>
 * </ul>
 * Any bad row fails the whole read with the file and line (or split and index) in the message: nothing
 * is dropped silently.
 */
public final class DatasetReader {
    public enum Format {
        CSV, JSONL, CLINC;

        public static Format parse(String name) {
            try {
                return valueOf(name.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown dataset format '" + name + "' (expected csv, jsonl or clinc)");
            }
        }
    }

    static final List<String> LABEL_COLUMNS = List.of("label", "category", "intent");
    private static final ObjectMapper JSON = new ObjectMapper();

    private DatasetReader() {
    }

    public static List<LabeledText> readCsv(Path file) {
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.FAIL_ON_MISSING_COLUMNS);
        mapper.enable(CsvParser.Feature.TRIM_SPACES);
        CsvSchema schema = CsvSchema.emptySchema().withHeader();
        List<LabeledText> out = new ArrayList<>();
        try (var it = mapper.readerFor(Map.class).with(schema).<Map<String, String>>readValues(file.toFile())) {
            String labelColumn = null;
            while (true) {
                Map<String, String> row;
                int line = it.getCurrentLocation().getLineNr(); // the reader stands at the start of the next row
                try {
                    if (!it.hasNextValue()) break;
                    row = it.nextValue();
                } catch (RuntimeJsonMappingException | JsonProcessingException e) {
                    throw new IllegalArgumentException(file + ": bad CSV row near line "
                            + it.getCurrentLocation().getLineNr() + ": " + e.getMessage(), e);
                }
                if (labelColumn == null) {
                    labelColumn = LABEL_COLUMNS.stream().filter(row::containsKey).findFirst().orElseThrow(() ->
                            new IllegalArgumentException(file + ": header needs a 'text' column and one of " + LABEL_COLUMNS
                                    + ", found " + row.keySet()));
                    if (!row.containsKey("text"))
                        throw new IllegalArgumentException(file + ": header needs a 'text' column, found " + row.keySet());
                }
                out.add(example(row.get("text"), row.get(labelColumn), file + " line " + line));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not readable as CSV: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + ": no examples");
        return out;
    }

    public static List<LabeledText> readJsonl(Path file) {
        List<LabeledText> out = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNumber = 0;
            for (String line; (line = reader.readLine()) != null; ) {
                lineNumber++;
                if (line.isBlank()) continue;
                String where = file + " line " + lineNumber;
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException(where + ": not valid JSON: " + e.getOriginalMessage(), e);
                }
                if (!node.isObject()) throw new IllegalArgumentException(where + ": expected a JSON object");
                JsonNode label = LABEL_COLUMNS.stream().map(node::get).filter(n -> n != null).findFirst().orElse(null);
                out.add(example(textOf(node.get("text")), textOf(label), where));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + ": no examples");
        return out;
    }

    /** All splits of a CLINC150-layout file, in file order (train, val, test, oos_train, ... as present). */
    public static Map<String, List<LabeledText>> readClinc(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException(file + ": expected an object of splits");
        Map<String, List<LabeledText>> splits = new LinkedHashMap<>();
        for (var entry : root.properties()) {
            JsonNode items = entry.getValue();
            if (!items.isArray()) throw new IllegalArgumentException(file + ": split '" + entry.getKey() + "' is not a list");
            List<LabeledText> examples = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                JsonNode pair = items.get(i);
                String where = file + " split '" + entry.getKey() + "' item " + i;
                if (!pair.isArray() || pair.size() != 2)
                    throw new IllegalArgumentException(where + ": expected [text, intent], got " + pair);
                examples.add(example(textOf(pair.get(0)), textOf(pair.get(1)), where));
            }
            splits.put(entry.getKey(), examples);
        }
        return splits;
    }

    /** Reads a csv or jsonl file; the CLINC layout has several splits, so use {@link #readClinc}. */
    public static List<LabeledText> read(Path file, Format format) {
        return switch (format) {
            case CSV -> readCsv(file);
            case JSONL -> readJsonl(file);
            case CLINC -> throw new IllegalArgumentException("the clinc format holds several splits: use readClinc");
        };
    }

    private static String textOf(JsonNode node) {
        return node != null && node.isTextual() ? node.asText() : null;
    }

    private static LabeledText example(String text, String label, String where) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException(where + ": missing or empty text");
        if (label == null || label.isBlank()) throw new IllegalArgumentException(where + ": missing or empty label");
        return new LabeledText(text, label.strip());
    }
}
