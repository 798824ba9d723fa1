package dev.ragline.generation;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * A generator over any LangChain4j chat model: an OpenAI-compatible server (vLLM, llama.cpp server, Ollama's
 * /v1, hosted APIs) or Ollama's native API. Greedy (temperature 0). Remote APIs take no grammar: the answer is
 * grounded by the prompt alone, and parsing still drops citations to passages that were not given.
 */
public final class ChatModelGenerator implements Generator {
    private final String modelId;
    private final ChatModel chat;
    private final StreamingChatModel streaming;
    private final int contextWindow;

    public ChatModelGenerator(String modelId, ChatModel chat, StreamingChatModel streaming, int contextWindow) {
        this.modelId = Objects.requireNonNull(modelId, "modelId");
        this.chat = Objects.requireNonNull(chat, "chat");
        this.streaming = Objects.requireNonNull(streaming, "streaming");
        if (contextWindow < 256) throw new IllegalArgumentException("contextWindow too small: " + contextWindow);
        this.contextWindow = contextWindow;
    }

    /** Any OpenAI-compatible chat-completions server; {@code baseUrl} ends before /chat/completions (e.g. .../v1). */
    public static ChatModelGenerator openAiCompatible(String baseUrl, String modelName, String apiKey, int contextWindow,
                                                      Duration timeout) {
        String key = apiKey == null || apiKey.isBlank() ? "none" : apiKey; // local servers ignore it, the client wants one
        return new ChatModelGenerator(modelName,
                OpenAiChatModel.builder().baseUrl(baseUrl).modelName(modelName).apiKey(key).temperature(0.0).timeout(timeout).build(),
                OpenAiStreamingChatModel.builder().baseUrl(baseUrl).modelName(modelName).apiKey(key).temperature(0.0).timeout(timeout).build(),
                contextWindow);
    }

    /** Ollama's native API ({@code baseUrl} such as http://localhost:11434). */
    public static ChatModelGenerator ollama(String baseUrl, String modelName, int contextWindow, Duration timeout) {
        return new ChatModelGenerator(modelName,
                OllamaChatModel.builder().baseUrl(baseUrl).modelName(modelName).temperature(0.0).numCtx(contextWindow).timeout(timeout).build(),
                OllamaStreamingChatModel.builder().baseUrl(baseUrl).modelName(modelName).temperature(0.0).numCtx(contextWindow).timeout(timeout).build(),
                contextWindow);
    }

    @Override
    public String modelId() {
        return modelId;
    }

    @Override
    public int contextWindow() {
        return contextWindow;
    }

    @Override
    public int countTokens(String text) {
        return ApproximateTokens.count(text);
    }

    @Override
    public boolean supportsGrammar() {
        return false;
    }

    @Override
    public Generation generate(GenerationRequest request) {
        long t0 = System.nanoTime();
        ChatResponse r = chat.chat(chatRequest(request));
        return toGeneration(request, r, r.aiMessage().text(), t0);
    }

    @Override
    public Generation generate(GenerationRequest request, Consumer<String> onToken) {
        long t0 = System.nanoTime();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat(chatRequest(request), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String token) {
                onToken.accept(token);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        try {
            ChatResponse r = done.get();
            return toGeneration(request, r, r.aiMessage().text(), t0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while generating", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(modelId + " failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private static ChatRequest chatRequest(GenerationRequest request) {
        if (request.grammar() != null)
            throw new IllegalArgumentException("a remote chat model cannot enforce a grammar");
        return ChatRequest.builder()
                .messages(SystemMessage.from(request.system()), UserMessage.from(request.user()))
                .maxOutputTokens(request.maxTokens())
                .temperature(0.0)
                .build();
    }

    private Generation toGeneration(GenerationRequest request, ChatResponse r, String text, long t0) {
        String out = text == null ? "" : text;
        TokenUsage u = r.tokenUsage();
        int in = u != null && u.inputTokenCount() != null ? u.inputTokenCount() : countTokens(request.system() + request.user());
        int outTokens = u != null && u.outputTokenCount() != null ? u.outputTokenCount() : countTokens(out);
        return new Generation(out, in, outTokens, (System.nanoTime() - t0) / 1_000_000, r.finishReason() == FinishReason.LENGTH);
    }
}
