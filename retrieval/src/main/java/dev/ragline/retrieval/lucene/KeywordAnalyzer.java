package dev.ragline.retrieval.lucene;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;

/**
 * The analyzer of the BM25 text field. The name is recorded in the index; opening an index with another analyzer
 * re-indexes the keyword field from the stored chunk text.
 */
public enum KeywordAnalyzer {
    /** Lucene's {@link EnglishAnalyzer}: standard tokenizer, possessives, lower case, English stop words, Porter stemming. */
    ENGLISH,
    /** Lucene's {@link StandardAnalyzer}: Unicode word tokenizer and lower case, no stemming, no stop words. */
    STANDARD;

    public Analyzer create() {
        return switch (this) {
            case ENGLISH -> new EnglishAnalyzer();
            case STANDARD -> new StandardAnalyzer();
        };
    }
}
