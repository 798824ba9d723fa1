package dev.ragline.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"ragline-reader-v1\",\"messages\":[]}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("messages must be a non-empty array").contains("\"param\":\"messages\"");
        HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/models")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(models.body()).contains("\"id\":\"ragline-reader-v1\"");
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String q(String s) throws Exception {
        return JSON.writeValueAsString(s);
    }

    @Test
    void stopSequencesCutTheAnswerBlockingAndStreaming() throws Exception {
        GroundedPrompt p = prompt();
        Generation direct = reader.generate(new GenerationRequest(p.system(), p.user(), 40));
        String text = direct.text();
        assertThat(text.length()).isGreaterThan(4);
        // A stop sequence from the middle of what the reader says, so that it must be found, cut and not sent.
        String stop = text.substring(text.length() / 2, text.length() / 2 + 2);
        String expected = text.substring(0, text.indexOf(stop));
        ChatRequest request = ChatRequest.builder().messages(SystemMessage.from(p.system()), UserMessage.from(p.user()))
                .parameters(ChatRequestParameters.builder().stopSequences(stop).maxOutputTokens(40).build()).build();

        OpenAiChatModel blocking = OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("unused")
                .modelName("ragline-reader-v1").timeout(Duration.ofSeconds(60)).build();
        ChatResponse r = blocking.chat(request);
        assertThat(r.aiMessage().text()).isEqualTo(expected).doesNotContain(stop);
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(r.tokenUsage().outputTokenCount()).isLessThanOrEqualTo(direct.completionTokens());

        OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl()).apiKey("unused")
                .modelName("ragline-reader-v1").timeout(Duration.ofSeconds(60)).build();
        List<String> parts = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat(request, new StreamingChatResponseHandler() {
            @Override public void onPartialResponse(String s) { parts.add(s); }
            @Override public void onCompleteResponse(ChatResponse c) { done.complete(c); }
            @Override public void onError(Throwable t) { done.completeExceptionally(t); }
        });
        ChatResponse streamed = done.get(60, TimeUnit.SECONDS);
        assertThat(String.join("", parts)).isEqualTo(expected).isEqualTo(streamed.aiMessage().text());
        assertThat(streamed.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void stopFilterHoldsBackWhatCouldBecomeAStopSequence() {
        OpenAiCompatibleServer.StopFilter f = new OpenAiCompatibleServer.StopFilter(List.of("World", "xyz"));
        assertThat(f.accept("Hel")).isEqualTo("Hel");
        assertThat(f.accept("lo W")).isEqualTo("lo "); // "W" may start "World"
        assertThat(f.accept("orld and more")).isEmpty();
        assertThat(f.stopped()).isTrue();
        assertThat(f.tokensAtStop()).isEqualTo(3);
        assertThat(f.accept("ignored")).isEmpty();
        assertThat(f.finish()).isEmpty();
        OpenAiCompatibleServer.StopFilter g = new OpenAiCompatibleServer.StopFilter(List.of("World"));
        assertThat(g.accept("a W")).isEqualTo("a ");
        assertThat(g.accept("ave")).isEqualTo("Wave");
        assertThat(g.accept(" Wor")).isEqualTo(" ");
        assertThat(g.finish()).isEqualTo("Wor");
        assertThat(g.stopped()).isFalse();
    }

    @Test
    void earlierAssistantTurnsReachThePrompt() throws Exception {
        GroundedPrompt p = prompt();
        String body = "{\"model\":\"ragline-reader-v1\",\"max_tokens\":8,\"messages\":[{\"role\":\"system\",\"content\":" + q(p.system())
                + "},{\"role\":\"user\",\"content\":\"Who wrote it?\"},{\"role\":\"assistant\",\"content\":\"Nobody [1]\"},"
                + "{\"role\":\"user\",\"content\":" + q(p.user()) + "}]}";
        HttpResponse<String> r = post("/v1/chat/completions", body);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode json = JSON.readTree(r.body());
        String transcript = "User: Who wrote it?\n\nAssistant: Nobody [1]\n\nUser: " + p.user();
        // The reader counted the prompt it decoded: the whole conversation, the assistant turn included.
        assertThat(json.at("/usage/prompt_tokens").asInt()).isEqualTo(reader.countTokens(PromptTemplate.READER.render(p.system(), transcript)));
        assertThat(json.at("/choices/0/message/content").asText())
                .isEqualTo(reader.generate(new GenerationRequest(p.system(), transcript, 8)).text());
        assertThat(json.at("/model").asText()).isEqualTo("ragline-reader-v1");
    }

    @Test
    void anUnknownModelIsRefusedAndTheServedOneIsEchoed() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(r.statusCode()).isEqualTo(404);
        JsonNode e = JSON.readTree(r.body()).get("error");
        assertThat(e.get("param").asText()).isEqualTo("model");
        assertThat(e.get("code").asText()).isEqualTo("model_not_found");
        assertThat(e.get("type").asText()).isEqualTo("invalid_request_error");
        OpenAiChatModel wrong = OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("unused").modelName("gpt-4o").maxRetries(0).build();
        assertThatThrownBy(() -> wrong.chat("hi")).isInstanceOf(ModelNotFoundException.class).hasMessageContaining("gpt-4o");
        HttpResponse<String> ollama = post("/api/chat", "{\"model\":\"llama3\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(ollama.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(ollama.body()).get("error").asText()).contains("llama3");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            tools                | "tools":[{"type":"function","function":{"name":"getWeather","parameters":{"type":"object"}}}]
            tool_choice          | "tool_choice":"required"
            parallel_tool_calls  | "parallel_tool_calls":false
            response_format      | "response_format":{"type":"json_object"}
            response_format      | "response_format":{"type":"json_schema","json_schema":{"name":"a","schema":{"type":"object"}}}
            temperature          | "temperature":0.7
            n                    | "n":2
            logprobs             | "logprobs":true
            top_logprobs         | "top_logprobs":2
            logit_bias           | "logit_bias":{"50256":-100}
            presence_penalty     | "presence_penalty":0.5
            frequency_penalty    | "frequency_penalty":0.5
            max_tokens           | "max_tokens":0
            max_completion_tokens| "max_completion_tokens":-3
            stop                 | "stop":["a","b","c","d","e"]
            stop                 | "stop":7
            top_k                | "top_k":40
            stream_options.foo   | "stream":true,"stream_options":{"foo":true}
            messages             | "messages":[{"role":"system","content":"only a system message"}]
            messages[0].content  | "messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]}]
            messages[1].role     | "messages":[{"role":"user","content":"hi"},{"role":"tool","tool_call_id":"1","content":"sunny"}]
            messages[1].tool_calls | "messages":[{"role":"user","content":"hi"},{"role":"assistant","tool_calls":[{"id":"1","type":"function","function":{"name":"f","arguments":"{}"}}]}]
            messages[0].name     | "messages":[{"role":"user","name":"alice","content":"hi"}]
            """)
    void whatCannotBeHonouredIsRefusedWithA400NamingTheField(String param, String fields) throws Exception {
        String base = fields.startsWith("\"messages\"") ? "" : "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],";
        HttpResponse<String> r = post("/v1/chat/completions", "{\"model\":\"ragline-reader-v1\"," + base + fields + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode e = JSON.readTree(r.body()).get("error");
        assertThat(e.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(e.get("param").asText()).isEqualTo(param);
        assertThat(e.get("message").asText()).isNotBlank();
    }

    @Test
    void whatGreedyDecodingAlreadyIsIsAccepted() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", "{\"model\":\"ragline-reader-v1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"temperature\":0,\"top_p\":0.9,\"seed\":7,\"n\":1,\"response_format\":{\"type\":\"text\"},\"tool_choice\":\"none\","
                + "\"tools\":[],\"user\":\"u1\",\"metadata\":{\"k\":\"v\"},\"max_completion_tokens\":2,\"presence_penalty\":0,\"logprobs\":false}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode json = JSON.readTree(r.body());
        assertThat(json.at("/usage/completion_tokens").asInt()).isBetween(1, 2);
        assertThat(json.at("/model").asText()).isEqualTo("ragline-reader-v1");
    }

    @Test
    void langChain4jSeesTheRefusalWithTheFieldNamed() {
        OpenAiChatModel client = OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("unused")
                .modelName("ragline-reader-v1").maxRetries(0).build();
        ChatRequest withTool = ChatRequest.builder().messages(UserMessage.from("What is the weather in Munich?"))
                .parameters(ChatRequestParameters.builder().toolSpecifications(dev.langchain4j.agent.tool.ToolSpecification.builder()
                        .name("getWeather").build()).build()).build();
        assertThatThrownBy(() -> client.chat(withTool)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("\"param\":\"tools\"");
        ChatRequest json = ChatRequest.builder().messages(UserMessage.from("hi"))
                .parameters(ChatRequestParameters.builder().responseFormat(dev.langchain4j.model.chat.request.ResponseFormat.JSON).build()).build();
        assertThatThrownBy(() -> client.chat(json)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("\"param\":\"response_format\"");
    }

    @Test
    void ollamaRefusalsNameTheField() throws Exception {
        for (String[] c : new String[][]{{"\"format\":\"json\"", "format"}, {"\"tools\":[{\"type\":\"function\"}]", "tools"},
                {"\"options\":{\"mirostat\":1}", "mirostat"}, {"\"options\":{\"num_ctx\":8192}", "num_ctx"}}) {
            HttpResponse<String> r = post("/api/chat", "{\"model\":\"ragline-reader-v1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]," + c[0] + "}");
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("error").asText()).contains(c[1]);
        }
    }
}
