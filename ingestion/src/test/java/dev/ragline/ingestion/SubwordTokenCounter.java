package dev.ragline.ingestion;

import dev.ragline.core.TokenCounter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A WordPiece-like counter for splitter tests, closer to a real BERT tokenizer than whitespace words: text is
 * cut into letter runs, digit runs and single punctuation marks; each run costs one token per started four
 * characters; [CLS] and [SEP] add two.
 */
public final class SubwordTokenCounter implements TokenCounter {
    private static final Pattern PRE_TOKEN = Pattern.compile("\\p{L}+|\\p{N}+|[^\\s\\p{L}\\p{N}]");

    @Override
    public int countTokens(String text) {
        int tokens = 2;
        Matcher m = PRE_TOKEN.matcher(text);
        while (m.find()) tokens += (m.end() - m.start() + 3) / 4;
        return tokens;
    }
}
