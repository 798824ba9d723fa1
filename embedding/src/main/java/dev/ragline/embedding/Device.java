package dev.ragline.embedding;

/** Where ONNX Runtime runs the model. CUDA needs the {@code gpu} Maven profile and falls back to CPU if absent. */
public enum Device { CPU, CUDA }
