package dev.ragline.embedding;

/** How token vectors become one text vector. The model was trained with one of these; using another degrades it. */
public enum Pooling {
    /** The [CLS] token's vector (bge). */
    CLS,
    /** Mean of the token vectors, padding excluded through the attention mask (sentence-transformers, MiniLM). */
    MEAN
}
