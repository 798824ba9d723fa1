package dev.ragline.app.wiring;

import dev.ragline.app.api.ServiceUnavailableException;
import dev.ragline.app.config.RaglineConfig;
import dev.ragline.generation.Generator;
import dev.ragline.generation.GeneratorConfig;
import dev.ragline.generation.GroundedAnswerer;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
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
        if ("none".equalsIgnoreCase(g.backend())) {
            generator = null;
            answerer = null;
            LOG.info("generation off (ragline.generation.backend=none): GENERATE routes answer 503");
            return;
        }
        generator = new GeneratorConfig(GeneratorConfig.backend(g.backend()), g.baseUrl().orElse(null),
                g.modelName().orElse(null), g.apiKey().orElse(null), g.modelPath().orElse(null), g.contextSize(),
                g.threads(), g.timeout()).open();
        answerer = new GroundedAnswerer(generator, g.maxAnswerTokens(), g.constrained());
        LOG.infof("decoder %s via %s (context %d tokens)", generator.modelId(), g.backend(), generator.contextWindow());
    }

    public GroundedAnswerer answerer() {
        if (answerer == null)
            throw new ServiceUnavailableException("generation is off (ragline.generation.backend=none)");
        return answerer;
    }

    @PreDestroy
    void close() throws Exception {
        if (generator != null) generator.close();
    }
}
