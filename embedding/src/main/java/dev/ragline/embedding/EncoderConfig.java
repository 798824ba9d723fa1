package dev.ragline.embedding;

import java.util.Objects;

/**
 * How to open an encoder ({@link Encoders#open(EncoderConfig)}).
 *
 * @param model            a {@link KnownModel} id ({@code bge-small-en-v1.5}, {@code bge-small-en-v1.5-q},
 *                         {@code all-minilm-l6-v2}, {@code all-minilm-l6-v2-q}) or the path of a BERT-family ONNX
 *                         export: a directory holding {@code model.onnx} and {@code tokenizer.json}, or an
 *                         {@code .onnx} file with {@code tokenizer.json} beside it
 * @param device           CPU, or CUDA (falls back to CPU with a warning when the provider cannot be added)
 * @param intraOpThreads   ONNX Runtime intra-op threads; 0 lets ONNX Runtime choose (one per core)
 * @param batchSize        texts per model run; texts are grouped by similar token length first
 * @param queryInstruction prepend the model's query instruction to queries (bge); passages never get it
 * @param pooling          pooling override; null = the known model's own. Required for a model given by path
 * @param maxTokens        longest input in tokens, specials included; 0 = the model's own (512 for a path model)
 * @param instructionText  query instruction override; null = the known model's own (none for a path model)
 */
public record EncoderConfig(String model, Device device, int intraOpThreads, int batchSize, boolean queryInstruction,
                            Pooling pooling, int maxTokens, String instructionText) {

    public static final String DEFAULT_MODEL = KnownModel.BGE_SMALL_EN_V15.id();

    public EncoderConfig {
        Objects.requireNonNull(model, "model");
        if (model.isBlank()) throw new IllegalArgumentException("model must not be blank");
        Objects.requireNonNull(device, "device");
        if (intraOpThreads < 0) throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        if (maxTokens != 0 && maxTokens < 3) throw new IllegalArgumentException("maxTokens must be 0 or >= 3, got " + maxTokens);
    }

    /** bge-small-en-v1.5 fp32 on CPU, ONNX Runtime's thread count, batches of 4 (fastest on CPU, see README), query instruction on. */
    public static EncoderConfig defaults() {
        return of(DEFAULT_MODEL);
    }

    public static EncoderConfig of(String model) {
        return new EncoderConfig(model, Device.CPU, 0, 4, true, null, 0, null);
    }

    public EncoderConfig withModel(String value) {
        return new EncoderConfig(value, device, intraOpThreads, batchSize, queryInstruction, pooling, maxTokens, instructionText);
    }

    public EncoderConfig withDevice(Device value) {
        return new EncoderConfig(model, value, intraOpThreads, batchSize, queryInstruction, pooling, maxTokens, instructionText);
    }

    public EncoderConfig withIntraOpThreads(int value) {
        return new EncoderConfig(model, device, value, batchSize, queryInstruction, pooling, maxTokens, instructionText);
    }

    public EncoderConfig withBatchSize(int value) {
        return new EncoderConfig(model, device, intraOpThreads, value, queryInstruction, pooling, maxTokens, instructionText);
    }

    public EncoderConfig withQueryInstruction(boolean value) {
        return new EncoderConfig(model, device, intraOpThreads, batchSize, value, pooling, maxTokens, instructionText);
    }

    public EncoderConfig withPooling(Pooling value) {
        return new EncoderConfig(model, device, intraOpThreads, batchSize, queryInstruction, value, maxTokens, instructionText);
    }

    public EncoderConfig withMaxTokens(int value) {
        return new EncoderConfig(model, device, intraOpThreads, batchSize, queryInstruction, pooling, value, instructionText);
    }

    public EncoderConfig withInstructionText(String value) {
        return new EncoderConfig(model, device, intraOpThreads, batchSize, queryInstruction, pooling, maxTokens, value);
    }
}
