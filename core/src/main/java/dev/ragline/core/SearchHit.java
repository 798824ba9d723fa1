package dev.ragline.core;

/** A chunk returned by a search, with its similarity score (cosine: higher is better). */
public record SearchHit(Chunk chunk, double score) {
}
