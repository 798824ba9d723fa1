package dev.ragline.classifier;

import dev.ragline.classifier.routing.Route;
import dev.ragline.classifier.routing.RouteType;
import dev.ragline.classifier.routing.Router;
import dev.ragline.classifier.routing.RoutingConfig;
import dev.ragline.core.MetadataFilter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RouterTest {
    private final Router router = new Router(0.9, 0.5, "oos", RoutingConfig.defaults());

    private static Classification c(String label, double p, double oosScore) {
        return new Classification(label, p, List.of(new ScoredLabel(label, p)), oosScore, OosMethod.MAX_PROBABILITY, false);
    }

    @Test
    void confidentInScopeGoesDirectWithTheIntentsPassageFilter() {
        Route r = router.route(c("balance", 0.95, 0.05));
        assertThat(r.type()).isEqualTo(RouteType.DIRECT);
        assertThat(r.answer().passageFilter()).isEqualTo(MetadataFilter.equalTo("intent", "balance"));
        assertThat(r.reason()).contains("0.9500").contains("0.9000");
    }

    @Test
    void thresholdIsInclusive() {
        assertThat(router.route(c("balance", 0.9, 0.1)).type()).isEqualTo(RouteType.DIRECT);
        assertThat(router.route(c("balance", 0.8999, 0.1)).type()).isEqualTo(RouteType.GENERATE);
    }

    @Test
    void unsureGoesToGenerate() {
        Route r = router.route(c("balance", 0.6, 0.4));
        assertThat(r.type()).isEqualTo(RouteType.GENERATE);
        assertThat(r.reason()).contains("below threshold");
        assertThat(r.answer()).isNull();
    }

    @Test
    void outOfScopeAbstains() {
        assertThat(router.route(c("balance", 0.3, 0.7)).type()).isEqualTo(RouteType.ABSTAIN);
        Route predictedOos = router.route(c("oos", 0.99, 0.0));
        assertThat(predictedOos.type()).isEqualTo(RouteType.ABSTAIN);
        assertThat(predictedOos.reason()).contains("out-of-scope class");
    }

    @Test
    void configDecidesWhichIntentsAreAnsweredAndHow() {
        RoutingConfig config = RoutingConfig.parse("""
                {"directByDefault": false, "passageFilterKey": null,
                 "intents": {"balance": {"template": "Your balance is in the app."},
                             "card_arrival": {"passageFilter": {"topic": ["cards", "delivery"]}},
                             "transfer": {"direct": false}},
                 "confidenceThreshold": 0.7}""");
        Router r = new Router(0.9, 0.5, null, config);
        Router configured = Router.of(ClassifierArtifactTest.trained(OosMethod.MAX_PROBABILITY), config);
        assertThat(configured.confidenceThreshold()).isEqualTo(0.7);
        Route balance = r.route(c("balance", 0.95, 0.0));
        assertThat(balance.type()).isEqualTo(RouteType.DIRECT);
        assertThat(balance.answer().template()).isEqualTo("Your balance is in the app.");
        assertThat(balance.answer().passageFilter()).isNull();
        assertThat(r.route(c("card_arrival", 0.95, 0.0)).answer().passageFilter().anyOf())
                .containsEntry("topic", List.of("cards", "delivery"));
        assertThat(r.route(c("transfer", 0.99, 0.0)).type()).isEqualTo(RouteType.GENERATE);
        assertThat(r.route(c("transfer", 0.99, 0.0)).reason()).contains("not configured for direct answers");
        assertThat(r.route(c("unlisted", 0.99, 0.0)).type()).isEqualTo(RouteType.GENERATE); // directByDefault false
    }

    @Test
    void committedExampleConfigParses() {
        RoutingConfig config = RoutingConfig.read(java.nio.file.Path.of("routing.example.json"));
        assertThat(config.directAnswer("transfer")).isNull();
        assertThat(config.directAnswer("card_arrival").template()).startsWith("New cards");
        assertThat(config.directAnswer("some_other_intent").passageFilter()).isEqualTo(MetadataFilter.equalTo("intent", "some_other_intent"));
    }

    @Test
    void typosInConfigAreRefused() {
        assertThatThrownBy(() -> RoutingConfig.parse("{\"directByDefualt\": true}")).hasMessageContaining("unknown key 'directByDefualt'");
        assertThatThrownBy(() -> RoutingConfig.parse("{\"intents\": {\"x\": {\"templte\": \"t\"}}}")).hasMessageContaining("intent 'x'");
        assertThatThrownBy(() -> RoutingConfig.parse("[1]")).hasMessageContaining("JSON object");
    }
}
