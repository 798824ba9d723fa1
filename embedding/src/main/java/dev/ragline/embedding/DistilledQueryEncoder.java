package dev.ragline.embedding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragline.core.Encoder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A query encoder distilled from a passage encoder ({@code embedding/training/distill_query_encoder.py}): a shallow
 * copy of the passage model trained so that its query vectors match the passage model's. Passages keep being
 * encoded by the passage model, so an index built with it is searched unchanged; only query encoding gets cheaper.
 * The model directory holds {@code model.onnx}, {@code tokenizer.json} and {@code query-encoder.json}, whose
 * {@code teacherSha256} must be the passage model's checksum: a query encoder of another model would return
 * vectors from another space, and is refused.
 */
public final class DistilledQueryEncoder {
    static final String PROVENANCE = "query-encoder.json";

    private DistilledQueryEncoder() {
    }

    /** Opens the query encoder in {@code directory} for {@code passages}; threads and device come from {@code base}. */
    public static OnnxEncoder open(Path directory, Encoder passages, EncoderConfig base) {
        Path provenance = directory.resolve(PROVENANCE);
        if (!Files.isRegularFile(provenance))
            throw new IllegalArgumentException("query encoder " + directory + " has no " + PROVENANCE
                    + ": give the directory distill_query_encoder.py wrote");
        JsonNode p;
        try {
            p = new ObjectMapper().readTree(provenance.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + provenance, e);
        }
        String teacher = p.path("teacherSha256").asText("");
        if (!teacher.equals(passages.modelSha256()))
            throw new IllegalArgumentException("query encoder " + directory + " was distilled from the model with sha256 "
                    + teacher + ", but passages are encoded by " + passages.modelId() + " (sha256 "
                    + passages.modelSha256() + "): its query vectors would not match the index");
        Pooling pooling = Pooling.valueOf(p.path("pooling").asText("CLS").toUpperCase(Locale.ROOT));
        OnnxEncoder queries = Encoders.open(base.withModel(directory.toString()).withPooling(pooling)
                .withQueryInstruction(false).withMaxTokens(0).withInstructionText(null));
        if (queries.dimension() != passages.dimension()) {
            queries.close();
            throw new IllegalArgumentException("query encoder " + directory + " has " + queries.dimension()
                    + " dimensions, the passage encoder " + passages.dimension());
        }
        return queries;
    }

    /**
     * One {@link Encoder} that encodes passages with {@code passages} and queries with {@code queries}. It reports
     * the passage model's identity, since that is what the index and trained artifacts were built with; closing
     * the two encoders is their owner's job.
     */
    public static Encoder split(Encoder passages, Encoder queries) {
        return new Split(passages, queries);
    }

    private record Split(Encoder passages, Encoder queries) implements Encoder {
        @Override public String modelId() { return passages.modelId(); }
        @Override public String modelSha256() { return passages.modelSha256(); }
        @Override public int dimension() { return passages.dimension(); }
        @Override public int maxTokens() { return passages.maxTokens(); }
        @Override public int countTokens(String text) { return passages.countTokens(text); }
        @Override public List<float[]> embedPassages(List<String> texts) { return passages.embedPassages(texts); }
        @Override public float[] embedQuery(String query) { return queries.embedQuery(query); }
        @Override public List<float[]> embedQueries(List<String> texts) { return queries.embedQueries(texts); }
        @Override public String toString() { return passages.modelId() + " (queries: " + queries.modelId() + ")"; }
    }
}
