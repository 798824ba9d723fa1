package dev.ragline.app.wiring;

import dev.ragline.app.api.ServiceUnavailableException;
import dev.ragline.app.config.RaglineConfig;
import dev.ragline.generation.Answerer;
import dev.ragline.generation.GeneratorConfig;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * The answerer behind GENERATE routes, chosen by {@code ragline.generation.backend}: the bundled extractive
 * reader by default; one line switches to a decoder LLM (GGUF in-process, OpenAI-compatible, Ollama).
 */
@Startup
@Singleton
public class Decoder {
    private static final Logger LOG = Logger.getLogger(Decoder.class);

    private final Answerer answerer;

    public Decoder(RaglineConfig config) {
        var g = config.generation();
        if ("none".equalsIgnoreCase(g.backend())) {
            answerer = null;
            LOG.info("generation off (ragline.generation.backend=none): GENERATE routes answer 503");
            return;
        }
        answerer = new GeneratorConfig(GeneratorConfig.backend(g.backend()), g.baseUrl().orElse(null),
                g.modelName().orElse(null), g.apiKey().orElse(null), g.modelPath().orElse(null), g.contextSize(),
                g.threads(), g.timeout()).openAnswerer(g.maxAnswerTokens(), g.constrained());
        LOG.infof("answerer %s via %s", answerer.modelId(), g.backend());
    }

    public Answerer answerer() {
        if (answerer == null)
            throw new ServiceUnavailableException("generation is off (ragline.generation.backend=none)");
        return answerer;
    }

    @PreDestroy
    void close() {
        if (answerer != null) answerer.close();
    }
}
