package dev.ragline.generation;

/**
 * A passage the answer cites.
 *
 * @param passage       the number [n] in the prompt
 * @param documentId    source document
 * @param chunkId       the chunk shown as passage n
 * @param start         start of the answer text inside the chunk text, or -1 when the answer is not a verbatim
 *                      span of this passage
 * @param end           end (exclusive) inside the chunk text, or -1
 * @param documentStart start inside the parsed document text (chunk start offset + start), or -1
 * @param documentEnd   end inside the parsed document text, or -1
 */
public record Citation(int passage, String documentId, String chunkId, int start, int end, int documentStart, int documentEnd) {

    /** Whether the answer was found verbatim in this passage. */
    public boolean verbatim() {
        return start >= 0;
    }
}
