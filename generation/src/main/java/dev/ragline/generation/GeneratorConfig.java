package dev.ragline.generation;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Which decoder to use. The default is the embedded reader (in-process, bundled in this jar); switching to a
 * real LLM is one setting: {@code backend=ollama} (Ollama on localhost:11434 with {@link #DEFAULT_OLLAMA_MODEL}),
 * or {@code backend=openai} with a base URL and model name.
 *
 * @param backend     EMBEDDED, OPENAI (any OpenAI-compatible server) or OLLAMA (native API)
 * @param baseUrl     server URL (OPENAI: up to /v1; OLLAMA: default http://localhost:11434)
 * @param modelName   model on the server
 * @param apiKey      OPENAI only; may be empty for local servers
 * @param modelPath   EMBEDDED: a GGUF file, or null for the bundled reader
 * @param contextSize context window in tokens (0: the model's own for EMBEDDED, 8192 for servers)
 * @param threads     EMBEDDED: CPU threads (0: all cores)
 * @param timeout     servers: per-request timeout
 */
public record GeneratorConfig(Backend backend, String baseUrl, String modelName, String apiKey, Path modelPath,
                              int contextSize, int threads, Duration timeout) {

    public enum Backend { EMBEDDED, OPENAI, OLLAMA }

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

    /** The bundled embedded reader on all cores. */
    public static GeneratorConfig embedded() {
        return new GeneratorConfig(Backend.EMBEDDED, null, null, null, null, 0, 0, null);
    }

    /** Parses a backend name as written in configuration (embedded, openai, ollama). */
    public static Backend backend(String name) {
        try {
            return Backend.valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown generation backend '" + name + "': use embedded, openai or ollama");
        }
    }

    /** Opens the configured generator; close it on shutdown. */
    public Generator open() {
        int ctx = contextSize > 0 ? contextSize : DEFAULT_SERVER_CONTEXT;
        return switch (backend) {
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
