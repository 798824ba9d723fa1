package dev.ragline.app.wiring;

import dev.ragline.app.api.ServiceUnavailableException;
import dev.ragline.app.config.RaglineConfig;
import dev.ragline.generation.ChatModelGenerator;
import dev.ragline.generation.Generator;
import dev.ragline.generation.GroundedAnswerer;
import dev.ragline.generation.LlamaConfig;
import dev.ragline.generation.LlamaGenerator;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.Locale;
import org.jboss.logging.Logger;

/** The decoder behind GENERATE routes, chosen by {@code ragline.generation.backend}; one line switches to a real LLM. */
@Startup
@Singleton
public class Decoder {
    private static final Logger LOG = Logger.getLogger(Decoder.class);

    private final Generator generator;
    private final GroundedAnswerer answerer;

    public Decoder(RaglineConfig config) {
        var g = config.generation();
        generator = switch (g.backend().toLowerCase(Locale.ROOT)) {
            case "embedded" -> new LlamaGenerator(LlamaConfig.reader(g.modelPath()).withThreads(g.threads()));
            case "openai" -> ChatModelGenerator.openAiCompatible(required(g.baseUrl(), "base-url"),
                    required(g.model(), "model"), g.apiKey().orElse(null), g.contextWindow(), g.timeout());
            case "ollama" -> ChatModelGenerator.ollama(g.baseUrl().orElse("http://localhost:11434"),
                    required(g.model(), "model"), g.contextWindow(), g.timeout());
            case "none" -> null;
            default -> throw new IllegalArgumentException(
                    "ragline.generation.backend must be embedded, openai, ollama or none, got '" + g.backend() + "'");
        };
        answerer = generator == null ? null : new GroundedAnswerer(generator, g.maxAnswerTokens(), g.constrained());
        LOG.infof("decoder: %s", generator == null ? "none" : generator.modelId() + " via " + g.backend()
                + " (context " + generator.contextWindow() + " tokens)");
    }

    private static String required(java.util.Optional<String> value, String key) {
        return value.filter(v -> !v.isBlank()).orElseThrow(() -> new IllegalArgumentException(
                "ragline.generation." + key + " is required for this backend"));
    }

    public GroundedAnswerer answerer() {
        if (answerer == null)
            throw new ServiceUnavailableException("generation is off (ragline.generation.backend=none)");
        return answerer;
    }

    public boolean enabled() {
        return answerer != null;
    }

    @PreDestroy
    void close() throws Exception {
        if (generator != null) generator.close();
    }
}
