package dev.ragline.generation;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** LangChain4j's OpenAI client against our OpenAI-compatible endpoint over the committed GGUF reader. */
class OpenAiCompatibleServerTest {
    private static LlamaGenerator reader;
    private static OpenAiCompatibleServer server;
    private static List<Fixtures.Paragraph> paragraphs;

    @BeforeAll
    static void start() {
        reader = new LlamaGenerator(LlamaConfig.reader(Fixtures.READER).withThreads(2));
        server = OpenAiCompatibleServer.start(reader, "127.0.0.1", 0);
        paragraphs = Fixtures.paragraphs();
    }

    @AfterAll
    static void stop() {
        server.close();
        reader.close();
    }

    private GroundedPrompt prompt() {
        Fixtures.Paragraph p = paragraphs.get(0);
        return GroundedPrompt.build(p.questions().getFirst(), List.of(p.chunk()), 900, reader::countTokens);
    }

    @Test
    void blockingChatCompletionMatchesTheInProcessModel() {
        GroundedPrompt p = prompt();
        String direct = reader.generate(new GenerationRequest(p.system(), p.user(), 40)).text();
        OpenAiChatModel client = OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("unused")
                .modelName("ragline-reader-v1").maxTokens(40).timeout(Duration.ofSeconds(60)).build();
        ChatResponse r = client.chat(SystemMessage.from(p.system()), UserMessage.from(p.user()));
        assertThat(r.aiMessage().text()).isEqualTo(direct).isNotBlank();
        assertThat(r.tokenUsage().inputTokenCount()).isEqualTo(reader.countTokens(PromptTemplate.READER.render(p.system(), p.user())));
        assertThat(r.tokenUsage().outputTokenCount()).isPositive();
    }

    @Test
    void streamingDeliversTheSameTextTokenByToken() throws Exception {
        GroundedPrompt p = prompt();
        String direct = reader.generate(new GenerationRequest(p.system(), p.user(), 40)).text();
        OpenAiStreamingChatModel client = OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl()).apiKey("unused")
                .modelName("ragline-reader-v1").maxTokens(40).timeout(Duration.ofSeconds(60)).build();
        List<String> parts = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        client.chat(List.of(SystemMessage.from(p.system()), UserMessage.from(p.user())), new StreamingChatResponseHandler() {
            @Override public void onPartialResponse(String s) { parts.add(s); }
            @Override public void onCompleteResponse(ChatResponse r) { done.complete(r); }
            @Override public void onError(Throwable t) { done.completeExceptionally(t); }
        });
        ChatResponse r = done.get(60, TimeUnit.SECONDS);
        assertThat(parts.size()).isGreaterThan(1);
        assertThat(String.join("", parts)).isEqualTo(direct).isEqualTo(r.aiMessage().text());
    }

    @Test
    void groundedAnswererWorksThroughTheOpenAiBackend() {
        Fixtures.Paragraph p = paragraphs.get(0);
        try (Generator remote = ChatModelGenerator.openAiCompatible(server.baseUrl(), "ragline-reader-v1", null, 1024, Duration.ofSeconds(60))) {
            assertThat(remote.supportsGrammar()).isFalse();
            GroundedAnswer a = new GroundedAnswerer(remote).answer(p.questions().getFirst(), List.of(p.chunk()));
            // Unconstrained over HTTP, the reader still answers its training question from passage 1.
            assertThat(a.answer()).isIn(p.answers().getFirst());
            assertThat(a.citations()).extracting(Citation::passage).containsExactly(1);
            assertThat(a.promptTokens()).isGreaterThan(100); // the server's usage report
        }
    }

    @Test
    void ollamaNativeClientsWorkToo() throws Exception {
        GroundedPrompt p = prompt();
        String direct = reader.generate(new GenerationRequest(p.system(), p.user(), 40)).text();
        try (Generator ollama = ChatModelGenerator.ollama("http://127.0.0.1:" + server.port(), "ragline-reader-v1", 1024, Duration.ofSeconds(60))) {
            Generation blocking = ollama.generate(new GenerationRequest(p.system(), p.user(), 40));
            assertThat(blocking.text()).isEqualTo(direct);
            assertThat(blocking.promptTokens()).isEqualTo(reader.countTokens(PromptTemplate.READER.render(p.system(), p.user())));
            List<String> parts = new CopyOnWriteArrayList<>();
            Generation streamed = ollama.generate(new GenerationRequest(p.system(), p.user(), 40), parts::add);
            assertThat(parts.size()).isGreaterThan(1);
            assertThat(String.join("", parts)).isEqualTo(direct).isEqualTo(streamed.text());
        }
    }

    @Test
    void badRequestsGetA400WithAReason() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"x\",\"messages\":[]}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("messages must be a non-empty array");
        HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/models")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(models.body()).contains("\"id\":\"ragline-reader-v1\"");
    }
}
