package dev.ragline.app.wiring;

import dev.ragline.app.api.ServiceUnavailableException;
import dev.ragline.app.config.RaglineConfig;
import dev.ragline.classifier.Classification;
import dev.ragline.classifier.IntentClassifier;
import dev.ragline.classifier.routing.Route;
import dev.ragline.classifier.routing.Router;
import dev.ragline.classifier.routing.RoutingConfig;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * The trained intent classifier and the router built on it, loaded at start-up. A configured artifact that is
 * missing or was trained on another encoder stops the start with the loader's message, rather than serving
 * routes from a model that does not match.
 */
@Startup
@Singleton
public class IntentRouting {
    private static final Logger LOG = Logger.getLogger(IntentRouting.class);

    private final IntentClassifier classifier;
    private final Router router;

    public IntentRouting(RaglineConfig config, Platform platform) {
        var c = config.classifier();
        if (!c.enabled()) {
            classifier = null;
            router = null;
            LOG.info("intent classifier disabled (ragline.classifier.enabled=false): /v1/ask routes everything to generation");
            return;
        }
        classifier = IntentClassifier.load(c.artifact(), platform.onnxEncoder());
        var routing = c.routing().map(RoutingConfig::read).orElse(RoutingConfig.defaults());
        router = Router.of(classifier.artifact(), routing);
        LOG.infof("intent classifier %s: %d labels", c.artifact(), classifier.labels().size());
    }

    public boolean enabled() {
        return classifier != null;
    }

    public Classification classify(String text, int topK) {
        return require().classify(text, topK);
    }

    public Route route(Classification classification) {
        require();
        return router.route(classification);
    }

    private IntentClassifier require() {
        if (classifier == null)
            throw new ServiceUnavailableException("the intent classifier is disabled (ragline.classifier.enabled=false)");
        return classifier;
    }
}
