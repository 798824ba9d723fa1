package dev.ragline.generation;

import dev.ragline.generation.reader.ExtractiveReader;
import dev.ragline.generation.reader.ReaderSettings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Which answerer to use. The default is the extractive reader bundled in this jar ({@code backend=reader}, an
 * encoder fine-tuned for SQuAD 2.0, on ONNX Runtime in-process); decoder LLMs are one setting away:
 * {@code backend=embedded} (any GGUF file in-process through llama.cpp), {@code backend=ollama} (Ollama on
 * localhost:11434 with {@link #DEFAULT_OLLAMA_MODEL}), or {@code backend=openai} with a base URL and model name.
 *
 * @param backend     READER, EMBEDDED (GGUF via llama.cpp), OPENAI (any OpenAI-compatible server) or OLLAMA (native API)
 * @param baseUrl     server URL (OPENAI: up to /v1; OLLAMA: default http://localhost:11434)
 * @param modelName   model on the server
 * @param apiKey      OPENAI only; may be empty for local servers
 * @param modelPath   READER: a reader .onnx (with NAME.tokenizer.json and NAME.provenance.json beside it), or null
 *                    for the bundled reader; EMBEDDED: a GGUF file, or null for the small bundled GGUF
 * @param contextSize context window in tokens (0: the model's own for EMBEDDED, 8192 for servers)
 * @param threads     EMBEDDED: CPU threads (0: all cores)
 * @param timeout     servers: per-request timeout
 */
public record GeneratorConfig(Backend backend, String baseUrl, String modelName, String apiKey, Path modelPath,
                              int contextSize, int threads, Duration timeout) {

    public enum Backend { READER, EMBEDDED, OPENAI, OLLAMA }

    public static final String DEFAULT_OLLAMA_URL = "http://localhost:11434";
    public static final String DEFAULT_OLLAMA_MODEL = "qwen2.5:1.5b-instruct";
    static final int DEFAULT_SERVER_CONTEXT = 8192;

    public GeneratorConfig {
        Objects.requireNonNull(backend, "backend");
        if (contextSize < 0) throw new IllegalArgumentException("contextSize must be >= 0");
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0");
        timeout = timeout == null ? Duration.ofSeconds(120) : timeout;
        if (backend == Backend.OPENAI && (blank(baseUrl) || blank(modelName)))
            throw new IllegalArgumentException("backend openai needs base-url and model-name");
    }

    /** The bundled GGUF decoder on all cores. */
    public static GeneratorConfig embedded() {
        return new GeneratorConfig(Backend.EMBEDDED, null, null, null, null, 0, 0, null);
    }

    /** The bundled extractive reader on all cores. */
    public static GeneratorConfig reader() {
        return new GeneratorConfig(Backend.READER, null, null, null, null, 0, 0, null);
    }

    /** Parses a backend name as written in configuration (embedded, openai, ollama). */
    public static Backend backend(String name) {
        try {
            return Backend.valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown generation backend '" + name + "': use reader, embedded, openai or ollama");
        }
    }

    /**
     * Opens the configured answerer; close it on shutdown. The reader answers by itself; every other backend
     * is a {@link Generator} prompted by a {@link GroundedAnswerer}.
     *
     * @param maxAnswerTokens answer cap for decoders
     * @param constrained     span grammar for decoders that enforce grammars
     */
    public Answerer openAnswerer(int maxAnswerTokens, boolean constrained) {
        if (backend == Backend.READER) {
            int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
            if (modelPath == null) return ExtractiveReader.bundled(t);
            String base = modelPath.getFileName().toString().replaceFirst("\\.onnx$", "");
            return ExtractiveReader.open(modelPath, modelPath.resolveSibling(base + ".tokenizer.json"),
                    ReaderSettings.read(modelPath.resolveSibling(base + ".provenance.json")), t);
        }
        Generator generator = open();
        try {
            return GroundedAnswerer.owning(generator, maxAnswerTokens, constrained);
        } catch (RuntimeException e) {
            generator.close();
            throw e;
        }
    }

    /** Opens the configured decoder; close it on shutdown. Not for the reader, which is no text generator. */
    public Generator open() {
        int ctx = contextSize > 0 ? contextSize : DEFAULT_SERVER_CONTEXT;
        return switch (backend) {
            case READER -> throw new IllegalArgumentException(
                    "the reader backend is an extractive answerer, not a text generator: use openAnswerer");
            case EMBEDDED -> {
                int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
                if (modelPath == null) yield LlamaGenerator.bundledReader(t);
                yield new LlamaGenerator(LlamaConfig.reader(modelPath).withThreads(t).withContextSize(contextSize));
            }
            case OPENAI -> ChatModelGenerator.openAiCompatible(baseUrl, modelName, apiKey, ctx, timeout);
            case OLLAMA -> ChatModelGenerator.ollama(blank(baseUrl) ? DEFAULT_OLLAMA_URL : baseUrl,
                    blank(modelName) ? DEFAULT_OLLAMA_MODEL : modelName, ctx, timeout);
        };
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
