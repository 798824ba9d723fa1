package dev.ragline.evaluation.faithfulness;

import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.ragline.evaluation.Progress;
import dev.ragline.evaluation.qa.SquadDataset;
import dev.ragline.generation.LlamaGenerator;
import dev.ragline.generation.OpenAiCompatibleServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The LLM judge against a real decoder over a real HTTP endpoint: the generation module's OpenAI-compatible server
 * (127.0.0.1, free port) over the embedded GGUF reader, reached through LangChain4j's OpenAI client. The reader is
 * a small span-copying model, not an instruction follower: the test checks that every call returns a verdict or is
 * counted as unparseable, not that the verdicts are good (the README reports how they score).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LlmJudgeRealModelTest {
    LlamaGenerator reader;
    OpenAiCompatibleServer server;

    @BeforeAll
    void start() {
        reader = LlamaGenerator.bundledReader(2);
        server = OpenAiCompatibleServer.start(reader, "127.0.0.1", 0);
    }

    @AfterAll
    void stop() {
        if (server != null) server.close();
        if (reader != null) reader.close();
    }

    @Test
    void judgesLabelledExamplesThroughTheOpenAiCompatibleEndpoint() {
        assertThat(server.baseUrl()).startsWith("http://127.0.0.1:");
        LlmJudge judge = new LlmJudge(OpenAiChatModel.builder().baseUrl(server.baseUrl()).modelName(reader.modelId())
                .apiKey("none").temperature(0.0).maxTokens(8).timeout(Duration.ofMinutes(2)).build(), "llm:" + reader.modelId());
        List<JudgeBenchmark.Example> examples = JudgeBenchmark.build(
                SquadDataset.read(Path.of("src/test/resources/squad-tiny.json")), 2, 1);
        JudgeBenchmark.JudgeResult r = JudgeBenchmark.evaluate(judge, examples, (task, total) -> Progress.silent());
        assertThat(judge.calls()).isEqualTo(examples.size());
        assertThat(java.util.Arrays.stream(r.scores()).boxed().toList()).allSatisfy(s -> assertThat(s).isIn(0.0, 1.0));
        assertThat(r.auroc()).isBetween(0.0, 1.0);
        assertThat(judge.unparseable()).isBetween(0L, (long) examples.size());
        System.out.printf("llm judge on %s: AUROC %.3f over %d examples, %d unparseable replies%n",
                reader.modelId(), r.auroc(), examples.size(), judge.unparseable());
    }
}
