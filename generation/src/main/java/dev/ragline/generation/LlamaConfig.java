package dev.ragline.generation;

import java.nio.file.Path;
import java.util.Objects;

/**
 * In-process GGUF model settings.
 *
 * @param model       GGUF file
 * @param contextSize context window in tokens (0: the model's own training context)
 * @param threads     CPU threads for decoding and prompt processing
 * @param template    how system + user message become the raw prompt
 */
public record LlamaConfig(Path model, int contextSize, int threads, PromptTemplate template) {
    public LlamaConfig {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(template, "template");
        if (contextSize < 0) throw new IllegalArgumentException("contextSize must be >= 0");
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
    }

    /** The embedded reader's settings: its own template, its training context (1024), all cores. */
    public static LlamaConfig reader(Path model) {
        return new LlamaConfig(model, 0, Runtime.getRuntime().availableProcessors(), PromptTemplate.READER);
    }

    public LlamaConfig withThreads(int value) {
        return new LlamaConfig(model, contextSize, value, template);
    }

    public LlamaConfig withContextSize(int value) {
        return new LlamaConfig(model, value, threads, template);
    }
}
