package dev.ragline.evaluation.retrieval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragline.core.Provenance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A retrieval dataset in the BEIR layout: {@code corpus.jsonl} ({@code _id, title, text}), {@code queries.jsonl}
 * ({@code _id, text}) and {@code qrels/<split>.tsv} (header, then {@code query-id corpus-id score}).
 * Only queries judged in the split are kept, as BEIR evaluates them.
 *
 * @param documents    document id to the text that is embedded: title and text joined by a space (as BEIR/MTEB)
 * @param queries      judged query id to query text, in file order
 * @param qrels        query id to (document id to relevance grade)
 * @param corpusSha256 checksum of corpus.jsonl, so cached embeddings are tied to the exact corpus
 */
public record BeirDataset(Map<String, String> documents, Map<String, String> queries,
                          Map<String, Map<String, Integer>> qrels, String corpusSha256) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static BeirDataset load(Path dir, String split) {
        Path corpusFile = dir.resolve("corpus.jsonl");
        Path queriesFile = dir.resolve("queries.jsonl");
        Path qrelsFile = dir.resolve("qrels").resolve(split + ".tsv");
        for (Path file : List.of(corpusFile, queriesFile, qrelsFile)) {
            if (!Files.isRegularFile(file))
                throw new IllegalArgumentException("not a BEIR folder: " + file + " is missing");
        }
        Map<String, String> documents = new LinkedHashMap<>();
        readJsonLines(corpusFile, (line, node) -> {
            String id = required(node, "_id", corpusFile, line);
            String text = (node.path("title").asText("") + " " + node.path("text").asText("")).strip();
            if (text.isEmpty()) throw new IllegalArgumentException(corpusFile + ":" + line + ": document " + id + " has no title or text");
            if (documents.put(id, text) != null) throw new IllegalArgumentException(corpusFile + ":" + line + ": duplicate _id " + id);
        });
        Map<String, Map<String, Integer>> qrels = readQrels(qrelsFile);
        Map<String, String> allQueries = new LinkedHashMap<>();
        readJsonLines(queriesFile, (line, node) ->
                allQueries.put(required(node, "_id", queriesFile, line), required(node, "text", queriesFile, line)));
        Map<String, String> queries = new LinkedHashMap<>();
        for (var entry : allQueries.entrySet()) if (qrels.containsKey(entry.getKey())) queries.put(entry.getKey(), entry.getValue());
        for (String queryId : qrels.keySet()) {
            if (!queries.containsKey(queryId))
                throw new IllegalArgumentException(qrelsFile + " judges query " + queryId + " that queries.jsonl lacks");
        }
        return new BeirDataset(documents, queries, qrels, Provenance.sha256(corpusFile));
    }

    private static Map<String, Map<String, Integer>> readQrels(Path file) {
        Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || (i == 0 && line.startsWith("query-id"))) continue;
                String[] fields = line.split("\t");
                if (fields.length != 3) throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected 3 tab-separated fields");
                int grade;
                try {
                    grade = Integer.parseInt(fields[2].strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(file + ":" + (i + 1) + ": score is not an integer: " + fields[2]);
                }
                qrels.computeIfAbsent(fields[0].strip(), q -> new LinkedHashMap<>()).put(fields[1].strip(), grade);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return qrels;
    }

    private interface LineHandler {
        void accept(int line, JsonNode node);
    }

    private static void readJsonLines(Path file, LineHandler handler) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int number = 0;
            for (String line; (line = reader.readLine()) != null; ) {
                number++;
                if (line.isBlank()) continue;
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (IOException e) {
                    throw new IllegalArgumentException(file + ":" + number + ": not JSON: " + e.getMessage());
                }
                handler.accept(number, node);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static String required(JsonNode node, String field, Path file, int line) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull() || value.asText().isBlank())
            throw new IllegalArgumentException(file + ":" + line + ": missing '" + field + "'");
        return value.asText();
    }
}
