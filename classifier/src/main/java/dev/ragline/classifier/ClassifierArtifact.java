package dev.ragline.classifier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragline.core.Provenance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Everything a trained intent classifier needs, saved as one versioned JSON file: labels, encoder
 * identity, head weights (float32, little-endian, base64), temperature, out-of-scope settings, routing
 * threshold and provenance. Writing is deterministic (fixed field order, map keys sorted), so
 * write -> read -> write gives the same bytes.
 *
 * @param outOfScopeLabel    the label of a trained out-of-scope class (CLINC's {@code oos}), or null
 * @param oosThreshold       scores above this are out of scope
 * @param oosInScopeRecall   share of in-scope validation examples kept below {@code oosThreshold}
 * @param confidenceThreshold calibrated probability at or above which a prediction may be answered
 *                           directly; {@code +Infinity} (JSON null) when no threshold reached the target
 */
public record ClassifierArtifact(List<String> labels, String outOfScopeLabel, EncoderIdentity encoder, LinearHead head,
                                 double temperature, OosDetector oosDetector, double oosThreshold, double oosInScopeRecall,
                                 double confidenceThreshold, double targetSelectiveAccuracy, Provenance provenance) {

    public static final String FORMAT = "ragline-intent-classifier";
    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    public ClassifierArtifact {
        labels = List.copyOf(labels);
        if (labels.size() != head.numClasses())
            throw new IllegalArgumentException(labels.size() + " labels but the head has " + head.numClasses() + " classes");
        if (head.dimension() != encoder.dimension())
            throw new IllegalArgumentException("head dimension " + head.dimension() + " != encoder dimension " + encoder.dimension());
        if (outOfScopeLabel != null && !labels.contains(outOfScopeLabel))
            throw new IllegalArgumentException("out-of-scope label '" + outOfScopeLabel + "' is not among the labels");
        if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    }

    public boolean[] inScopeMask() {
        boolean[] mask = new boolean[labels.size()];
        for (int k = 0; k < mask.length; k++) mask[k] = !labels.get(k).equals(outOfScopeLabel);
        return mask;
    }

    public void write(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.writeString(file, toJson(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("formatVersion", FORMAT_VERSION);
        root.set("labels", JSON.valueToTree(labels));
        root.put("outOfScopeLabel", outOfScopeLabel);
        ObjectNode enc = root.putObject("encoder");
        enc.put("modelId", encoder.modelId());
        enc.put("sha256", encoder.sha256());
        enc.put("dimension", encoder.dimension());
        enc.put("input", "passage");
        ObjectNode h = root.putObject("head");
        h.put("type", "linear");
        h.put("classes", head.numClasses());
        h.put("dimension", head.dimension());
        h.put("weights", encode(head.weights()));
        h.put("bias", encode(new float[][]{head.bias()}));
        root.put("temperature", temperature);
        ObjectNode oos = root.putObject("oos");
        oos.put("method", oosDetector.method().name());
        oos.put("threshold", oosThreshold);
        oos.put("inScopeRecall", oosInScopeRecall);
        if (oosDetector.centroids() != null) oos.put("centroids", encode(oosDetector.centroids()));
        if (oosDetector.precision() != null) oos.put("precision", encode(oosDetector.precision()));
        ObjectNode router = root.putObject("router");
        if (Double.isInfinite(confidenceThreshold)) router.putNull("confidenceThreshold");
        else router.put("confidenceThreshold", confidenceThreshold);
        router.put("targetSelectiveAccuracy", targetSelectiveAccuracy);
        root.set("provenance", JSON.valueToTree(provenance));
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads and checks an artifact file; a missing, malformed or other-version file gets a clear message. */
    public static ClassifierArtifact read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IncompatibleArtifactException("classifier artifact not found: " + file.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        try {
            return fromJson(text);
        } catch (IncompatibleArtifactException e) {
            throw new IncompatibleArtifactException(file + ": " + e.getMessage(), e);
        }
    }

    public static ClassifierArtifact fromJson(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IncompatibleArtifactException("not a classifier artifact (invalid JSON: " + e.getOriginalMessage() + ")", e);
        }
        if (root == null || !FORMAT.equals(root.path("format").asText()))
            throw new IncompatibleArtifactException("not a classifier artifact (format is not '" + FORMAT + "')");
        int version = root.path("formatVersion").asInt(-1);
        if (version != FORMAT_VERSION)
            throw new IncompatibleArtifactException("unsupported classifier artifact format version " + version
                    + " (this build reads version " + FORMAT_VERSION + ")");
        try {
            List<String> labels = JSON.convertValue(root.get("labels"), new TypeReference<List<String>>() { });
            JsonNode enc = root.get("encoder");
            EncoderIdentity encoder = new EncoderIdentity(enc.get("modelId").asText(), enc.get("sha256").asText(),
                    enc.get("dimension").asInt());
            JsonNode h = root.get("head");
            if (!"linear".equals(h.path("type").asText()))
                throw new IncompatibleArtifactException("unsupported head type '" + h.path("type").asText() + "'");
            int classes = h.get("classes").asInt(), dimension = h.get("dimension").asInt();
            LinearHead head = new LinearHead(decode(h.get("weights").asText(), classes, dimension),
                    decode(h.get("bias").asText(), 1, classes)[0]);
            String oosLabel = root.get("outOfScopeLabel").isNull() ? null : root.get("outOfScopeLabel").asText();
            boolean[] inScope = new boolean[classes];
            for (int k = 0; k < classes; k++) inScope[k] = !labels.get(k).equals(oosLabel);
            JsonNode oos = root.get("oos");
            OosMethod method = OosMethod.valueOf(oos.get("method").asText());
            float[][] centroids = oos.hasNonNull("centroids") ? decode(oos.get("centroids").asText(), classes, dimension) : null;
            float[][] precision = oos.hasNonNull("precision") ? decode(oos.get("precision").asText(), dimension, dimension) : null;
            JsonNode router = root.get("router");
            double confidenceThreshold = router.get("confidenceThreshold").isNull()
                    ? Double.POSITIVE_INFINITY : router.get("confidenceThreshold").asDouble();
            JsonNode p = root.get("provenance");
            Provenance provenance = new Provenance(p.get("encoderModel").asText(), p.get("encoderSha256").asText(),
                    p.get("dataset").asText(), p.get("datasetSha256").asText(),
                    JSON.convertValue(p.get("parameters"), new TypeReference<Map<String, Object>>() { }),
                    JSON.convertValue(p.get("metrics"), new TypeReference<Map<String, Object>>() { }),
                    p.get("createdAt").asText());
            return new ClassifierArtifact(labels, oosLabel, encoder, head, root.get("temperature").asDouble(),
                    new OosDetector(method, inScope, centroids, precision), oos.get("threshold").asDouble(),
                    oos.get("inScopeRecall").asDouble(), confidenceThreshold,
                    router.get("targetSelectiveAccuracy").asDouble(), provenance);
        } catch (IncompatibleArtifactException e) {
            throw e;
        } catch (RuntimeException e) { // missing fields, wrong sizes, bad base64
            throw new IncompatibleArtifactException("malformed classifier artifact: " + e, e);
        }
    }

    /** Refuses an encoder other than the one the head was trained on. */
    public void checkEncoder(EncoderIdentity actual) {
        if (!encoder.sha256().equals(actual.sha256()) || encoder.dimension() != actual.dimension())
            throw new IncompatibleArtifactException("classifier was trained on encoder " + encoder.modelId()
                    + " (sha256 " + encoder.sha256() + ", dimension " + encoder.dimension() + ") but the configured encoder is "
                    + actual.modelId() + " (sha256 " + actual.sha256() + ", dimension " + actual.dimension()
                    + "); retrain the classifier for this encoder or configure the matching one");
    }

    static String encode(float[][] rows) {
        int count = 0;
        for (float[] row : rows) count += row.length;
        ByteBuffer buffer = ByteBuffer.allocate(4 * count).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] row : rows) for (float v : row) buffer.putFloat(v);
        return Base64.getEncoder().encodeToString(buffer.array());
    }

    static float[][] decode(String base64, int rows, int columns) {
        ByteBuffer buffer = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
        if (buffer.remaining() != 4L * rows * columns)
            throw new IncompatibleArtifactException("array of " + buffer.remaining() / 4 + " floats, expected "
                    + rows + " x " + columns);
        List<float[]> out = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            float[] row = new float[columns];
            for (int c = 0; c < columns; c++) row[c] = buffer.getFloat();
            out.add(row);
        }
        return out.toArray(float[][]::new);
    }
}
