package dev.ragline.embedding;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.listener.EmbeddingModelListener;
import dev.ragline.core.Provenance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Opens {@link OnnxEncoder}s from an {@link EncoderConfig}. */
public final class Encoders {
    private static final Logger LOG = LoggerFactory.getLogger(Encoders.class);
    /** Specials are added by the tokenizer; padding and truncation are ours (per batch, and counted). */
    private static final Map<String, String> TOKENIZER_OPTIONS =
            Map.of("addSpecialTokens", "true", "padding", "false", "truncation", "false");
    private static final int PATH_MODEL_MAX_TOKENS = 512; // BERT's position-embedding limit

    private Encoders() {
    }

    /** Opens the configured model; a known model id loads from the LangChain4j model jar on the classpath. */
    public static OnnxEncoder open(EncoderConfig config) {
        return open(config, List.of());
    }

    /** As {@link #open(EncoderConfig)}, with LangChain4j listeners notified of every {@code embed(EmbeddingRequest)}. */
    public static OnnxEncoder open(EncoderConfig config, List<EmbeddingModelListener> listeners) {
        try {
            var known = KnownModel.byId(config.model());
            return known.isPresent() ? openKnown(known.get(), config, listeners)
                    : openPath(Path.of(config.model()), config, listeners);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot open encoder " + config.model() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open encoder " + config.model(), e);
        }
    }

    private static OnnxEncoder openKnown(KnownModel model, EncoderConfig config, List<EmbeddingModelListener> listeners)
            throws IOException, OrtException {
        // ONNX Runtime wants a file (or a heap copy of 133 MB): stream the resource to a temporary file, hashing
        // it on the way, load the session, then delete the file (the session holds the model in memory).
        Path onnx = Files.createTempFile("ragline-" + model.id(), ".onnx");
        try {
            String sha256;
            try (InputStream in = resource(model.onnxResource());
                 DigestInputStream digesting = new DigestInputStream(in, sha256Digest());
                 OutputStream out = Files.newOutputStream(onnx)) {
                digesting.transferTo(out);
                sha256 = HexFormat.of().formatHex(digesting.getMessageDigest().digest());
            }
            HuggingFaceTokenizer tokenizer;
            try (InputStream in = resource(model.tokenizerResource())) {
                tokenizer = HuggingFaceTokenizer.newInstance(in, TOKENIZER_OPTIONS);
            }
            Pooling pooling = config.pooling() != null ? config.pooling() : model.pooling();
            int maxTokens = config.maxTokens() != 0 ? config.maxTokens() : model.maxTokens();
            String instruction = config.instructionText() != null ? config.instructionText() : model.queryInstruction();
            return build(model.id(), sha256, onnx, tokenizer, pooling, maxTokens, instruction, config, listeners);
        } finally {
            Files.deleteIfExists(onnx);
        }
    }

    private static OnnxEncoder openPath(Path path, EncoderConfig config, List<EmbeddingModelListener> listeners)
            throws IOException, OrtException {
        Path onnx = Files.isDirectory(path) ? path.resolve("model.onnx") : path;
        Path tokenizerJson = onnx.resolveSibling("tokenizer.json");
        if (!Files.isRegularFile(onnx))
            throw new IllegalArgumentException("'" + config.model() + "' is neither a known model "
                    + java.util.Arrays.stream(KnownModel.values()).map(KnownModel::id).toList()
                    + " nor an ONNX file or a directory holding model.onnx");
        if (!Files.isRegularFile(tokenizerJson))
            throw new IllegalArgumentException("no tokenizer.json beside " + onnx);
        if (config.pooling() == null)
            throw new IllegalArgumentException("pooling (CLS or MEAN) must be set for a model given by path: " + onnx);
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, TOKENIZER_OPTIONS);
        int maxTokens = config.maxTokens() != 0 ? config.maxTokens() : PATH_MODEL_MAX_TOKENS;
        return build(onnx.toAbsolutePath().toString(), Provenance.sha256(onnx), onnx, tokenizer, config.pooling(),
                maxTokens, config.instructionText(), config, listeners);
    }

    private static OnnxEncoder build(String id, String sha256, Path onnx, HuggingFaceTokenizer tokenizer,
                                     Pooling pooling, int maxTokens, String instruction, EncoderConfig config,
                                     List<EmbeddingModelListener> listeners) throws OrtException {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        String provider = "CPU";
        OrtSession session;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (config.intraOpThreads() > 0) options.setIntraOpNumThreads(config.intraOpThreads());
            if (config.device() == Device.CUDA) {
                try {
                    options.addCUDA(0);
                    provider = "CUDA";
                } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
                    LOG.warn("{}: CUDA execution provider unavailable ({}); falling back to CPU. "
                            + "Build with -Pgpu and provide CUDA 12 + cuDNN 9 to use the GPU.", id, e.getMessage());
                }
            }
            session = environment.createSession(onnx.toString(), options);
        } catch (OrtException | RuntimeException e) {
            tokenizer.close();
            throw e;
        }
        boolean instructed = config.queryInstruction() && instruction != null && !instruction.isEmpty();
        try {
            OnnxEncoder encoder = new OnnxEncoder(id, sha256, environment, session, tokenizer, pooling, maxTokens,
                    instructed ? instruction : "", config.batchSize(), provider, listeners);
            LOG.info("opened {} (sha256 {})", encoder, sha256);
            return encoder;
        } catch (OrtException | RuntimeException e) {
            session.close();
            tokenizer.close();
            throw e;
        }
    }

    private static InputStream resource(String name) {
        InputStream in = Encoders.class.getClassLoader().getResourceAsStream(name);
        if (in == null) throw new IllegalStateException("model resource " + name
                + " is not on the classpath: add its LangChain4j model jar (langchain4j-embeddings-...)");
        return in;
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
