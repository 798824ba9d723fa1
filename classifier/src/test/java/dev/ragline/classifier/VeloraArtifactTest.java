package dev.ragline.classifier;

import dev.ragline.classifier.routing.Route;
import dev.ragline.classifier.routing.RouteType;
import dev.ragline.classifier.routing.Router;
import dev.ragline.classifier.routing.RoutingConfig;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.Provenance;
import dev.ragline.embedding.EncoderConfig;
import dev.ragline.embedding.Encoders;
import dev.ragline.embedding.OnnxEncoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The committed service default, {@code models/velora-bge-small-en-v1.5.json}, on the real fp32 bge encoder with the
 * committed {@code config/routing.json}: fixed phrasings from the held-out test split (never used in training or in
 * choosing anything) must take the route the deployment promises. These fail if the model is bad.
 */
class VeloraArtifactTest {
    static final Path ARTIFACT = Path.of("models/velora-bge-small-en-v1.5.json");
    static final Path DATA = Path.of("data/velora");
    static final Path ROUTING = Path.of("../config/routing.json");
    static final Path CORPUS_INDEX = Path.of("../ingestion/src/main/resources/dev/ragline/ingestion/sample-corpus/index.txt");

    static OnnxEncoder encoder;
    static IntentClassifier classifier;
    static Router router;

    @BeforeAll
    static void open() {
        encoder = Encoders.open(EncoderConfig.of("bge-small-en-v1.5").withIntraOpThreads(1));
        classifier = IntentClassifier.load(ARTIFACT, encoder);
        router = Router.of(classifier.artifact(), RoutingConfig.read(ROUTING));
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    static Route route(String text) {
        return router.route(classifier.classify(text));
    }

    @Test
    void theArtifactWasTrainedOnTheCommittedSplitsAndCarriesItsTestFigures() throws Exception {
        ClassifierArtifact a = classifier.artifact();
        String shas = Provenance.sha256(DATA.resolve("train.jsonl")) + Provenance.sha256(DATA.resolve("validation.jsonl"))
                + Provenance.sha256(DATA.resolve("test.jsonl"));
        assertThat(a.provenance().datasetSha256()).isEqualTo(Provenance.sha256(shas.getBytes(StandardCharsets.UTF_8)));
        assertThat(a.provenance().encoderModel()).isEqualTo("bge-small-en-v1.5");
        assertThat(a.outOfScopeLabel()).isEqualTo("oos");
        assertThat(a.provenance().metrics()).containsKeys("test_accuracy", "test_eceBefore", "test_eceAfter", "test_oosAuroc");
        assertThat((Double) a.provenance().metrics().get("test_accuracy")).isGreaterThan(0.8);
    }

    @Test
    void routingConfigAndSampleCorpusTagsUseTheArtifactsLabels() throws Exception {
        Set<String> labels = Set.copyOf(classifier.labels());
        assertThat(RoutingConfig.read(ROUTING).intents().keySet()).allSatisfy(intent -> assertThat(labels).contains(intent));
        List<String> tags = Files.readAllLines(CORPUS_INDEX).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#") && l.contains("intent="))
                .map(l -> l.substring(l.indexOf("intent=") + 7).split("\\s+")[0]).toList();
        assertThat(tags).hasSizeGreaterThanOrEqualTo(15).allSatisfy(intent -> assertThat(labels).contains(intent));
        // every intent answered DIRECT without a template has a tagged document to answer from
        RoutingConfig config = RoutingConfig.read(ROUTING);
        for (String label : classifier.labels()) {
            var direct = config.directAnswer(label);
            if (direct != null && direct.template() == null) assertThat(tags).as(label).contains(label);
        }
    }

    @Test
    void smallTalkIsAnsweredFromItsTemplate() {
        Map<String, String> heldOut = new LinkedHashMap<>();
        heldOut.put("good morning", "greeting");
        heldOut.put("what is your name", "what_is_your_name");
        heldOut.put("who created you", "who_made_you");
        heldOut.put("thank you so much", "thank_you");
        heldOut.put("what can you help me with", "what_can_i_ask_you");
        heldOut.forEach((text, intent) -> {
            Route r = route(text);
            assertThat(r.type()).as(text + ": " + r.reason()).isEqualTo(RouteType.DIRECT);
            assertThat(r.intent()).as(text).isEqualTo(intent);
            assertThat(r.answer().template()).as(text).isNotBlank();
        });
    }

    @Test
    void frequentHowToQuestionsAreAnsweredFromThePassageTaggedForTheIntent() {
        Map<String, String> heldOut = new LinkedHashMap<>();
        heldOut.put("how do i charge my velora battery", "charge_battery");
        heldOut.put("the bike doesnt show up in the app", "pair_app");
        heldOut.put("the brake is soft and pulls to the bar", "replace_brake_pads");
        heldOut.put("can a failed update brick my bike", "update_firmware");
        heldOut.put("send the bike back", "return_refund");
        heldOut.forEach((text, intent) -> {
            Route r = route(text);
            assertThat(r.type()).as(text + ": " + r.reason()).isEqualTo(RouteType.DIRECT);
            assertThat(r.intent()).as(text).isEqualTo(intent);
            assertThat(r.answer().template()).as(text).isNull();
            assertThat(r.answer().passageFilter()).as(text).isEqualTo(MetadataFilter.equalTo("intent", intent));
        });
    }

    @Test
    void otherProductQuestionsGoToTheReader() {
        Map<String, String> heldOut = new LinkedHashMap<>();
        heldOut.put("will the battery get me 60 km to work and back", "battery_range");
        heldOut.put("what security level lock do you recommend", "theft_protection");
        heldOut.put("is there a monthly subscription", "care_plan");
        heldOut.put("how do i set the saddle height correctly", "frame_size");
        heldOut.forEach((text, intent) -> {
            Route r = route(text);
            assertThat(r.type()).as(text + ": " + r.reason()).isEqualTo(RouteType.GENERATE);
            assertThat(r.intent()).as(text).isEqualTo(intent);
        });
    }

    @Test
    void outOfScopeQuestionsAbstain() {
        List<String> heldOut = List.of("who wrote pride and prejudice", "how do i reset my router", "what wine goes with fish",
                "what is the best insurance for my house");
        assertThat(heldOut.stream().collect(Collectors.toMap(t -> t, t -> route(t).type())))
                .allSatisfy((text, type) -> assertThat(type).as(text).isEqualTo(RouteType.ABSTAIN));
    }

    @Test
    void theFixedPhrasingsAreFromTheHeldOutTestSplit() throws Exception {
        String test = Files.readString(DATA.resolve("test.jsonl"));
        String trainAndValidation = Files.readString(DATA.resolve("train.jsonl")) + Files.readString(DATA.resolve("validation.jsonl"));
        for (String text : List.of("good morning", "what is your name", "who created you", "thank you so much", "what can you help me with",
                "how do i charge my velora battery", "the bike doesnt show up in the app", "the brake is soft and pulls to the bar",
                "can a failed update brick my bike", "send the bike back", "will the battery get me 60 km to work and back",
                "what security level lock do you recommend", "is there a monthly subscription", "how do i set the saddle height correctly",
                "who wrote pride and prejudice", "how do i reset my router", "what wine goes with fish", "what is the best insurance for my house")) {
            assertThat(test).as(text).contains("\"text\": \"" + text + "\"");
            assertThat(trainAndValidation).as(text).doesNotContain("\"text\": \"" + text + "\"");
        }
    }
}
