package dev.ragline.generation;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.common.AbstractStreamingChatModelIT;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiChatResponseMetadata;
import dev.langchain4j.model.openai.OpenAiTokenUsage;
import dev.langchain4j.model.output.TokenUsage;
import org.junit.jupiter.api.AfterAll;

import java.time.Duration;
import java.util.List;

/**
 * LangChain4j's own conformance suite for streaming chat models (SSE) ({@link AbstractStreamingChatModelIT}), run with
 * LangChain4j's OpenAI client against our {@link OpenAiCompatibleServer}. The server serves two models: the
 * committed GGUF reader (real llama.cpp decoding), which answers the protocol-only tests (token cap, model
 * routing and echo), and {@link RuleBasedChatGenerator}, the default model, for the tests that assert world
 * knowledge or instruction following (Berlin, German, "Hello" before the stop sequence, recall of an earlier turn).
 * Switched off, through the suite's own switches, only what the endpoint refuses with a 400: tools, tool choice,
 * JSON response formats and image input; the suite's should_fail_if_..._not_supported tests then run instead.
 */
class OpenAiStreamingChatModelConformanceTest extends AbstractStreamingChatModelIT {
    static final String READER = "ragline-reader-v1";
    private final LlamaGenerator reader = new LlamaGenerator(LlamaConfig.reader(Fixtures.READER).withThreads(2));
    private final OpenAiCompatibleServer server =
            OpenAiCompatibleServer.start(List.of(new RuleBasedChatGenerator(), reader), "127.0.0.1", 0);

    @AfterAll
    void stop() {
        server.close();
        reader.close();
    }

    private OpenAiStreamingChatModel.OpenAiStreamingChatModelBuilder client() {
        return OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl()).apiKey("unused").timeout(Duration.ofSeconds(120));
    }

    @Override
    protected List<StreamingChatModel> models() {
        return List.of(client().modelName(RuleBasedChatGenerator.MODEL_ID).build());
    }

    @Override
    public StreamingChatModel createModelWith(ChatRequestParameters parameters) {
        return client().defaultRequestParameters(parameters)
                .modelName(parameters.modelName() != null ? parameters.modelName() : RuleBasedChatGenerator.MODEL_ID).build();
    }

    /** For the suite's tests of exceptions thrown by the caller's handler: the default (rule-based) model. */
    @Override
    public StreamingChatModel createModelWith(ChatModelListener listener) {
        return client().modelName(RuleBasedChatGenerator.MODEL_ID).listeners(listener).build();
    }

    /** The model the modelName tests switch to: the real reader (the default is the rule-based one). */
    @Override
    protected String customModelName() {
        return READER;
    }

    /** The token-cap tests assert protocol only (text, usage, finish reason): they run on the real reader. */
    @Override
    protected ChatRequestParameters createParameters(int maxOutputTokens) {
        return ChatRequestParameters.builder().modelName(READER).maxOutputTokens(maxOutputTokens).build();
    }

    @Override
    protected ChatRequestParameters createIntegrationSpecificParameters(int maxOutputTokens) {
        return OpenAiChatRequestParameters.builder().modelName(READER).maxCompletionTokens(maxOutputTokens).build();
    }

    @Override
    protected Class<? extends ChatResponseMetadata> chatResponseMetadataType(StreamingChatModel model) {
        return OpenAiChatResponseMetadata.class;
    }

    @Override
    protected Class<? extends TokenUsage> tokenUsageType(StreamingChatModel model) {
        return OpenAiTokenUsage.class;
    }

    // What the endpoint does not claim: the server answers these with a 400 naming the field.
    @Override protected boolean supportsTools() { return false; }
    @Override protected boolean supportsToolChoiceRequired() { return false; }
    @Override protected boolean supportsJsonResponseFormat() { return false; }
    @Override protected boolean supportsJsonResponseFormatWithSchema() { return false; }
    @Override protected boolean supportsJsonResponseFormatWithRawSchema() { return false; }
    @Override protected boolean supportsSingleImageInputAsBase64EncodedString() { return false; }
    @Override protected boolean supportsSingleImageInputAsPublicURL() { return false; }

    /**
     * LangChain4j's OpenAI client turns any HTTP 400 into an InvalidRequestException (whose message is our error
     * body), never an UnsupportedFeatureException, so the should_fail tests check that the call fails;
     * OpenAiCompatibleServerTest checks the status, the body and the named field of each refusal.
     */
    @Override protected boolean assertExceptionType() { return false; }
}
