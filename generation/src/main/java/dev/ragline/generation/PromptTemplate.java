package dev.ragline.generation;

/** Turns a system + user message into a raw completion prompt for an in-process model. */
@FunctionalInterface
public interface PromptTemplate {
    String render(String system, String user);

    /**
     * The embedded reader's format (generation/training/reader_format.py): it continues with
     * " SPAN [n]" or " " + abstain phrase, then its end token.
     */
    PromptTemplate READER = (system, user) -> "<|system|>\n" + system + "\n<|user|>\n" + user + "\n<|assistant|>\nAnswer:";

    /** ChatML, for instruction-tuned GGUF models that use it (Qwen, SmolLM and others). */
    PromptTemplate CHATML = (system, user) -> "<|im_start|>system\n" + system + "<|im_end|>\n<|im_start|>user\n" + user
            + "<|im_end|>\n<|im_start|>assistant\n";
}
