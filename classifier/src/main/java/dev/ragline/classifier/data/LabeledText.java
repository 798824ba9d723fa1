package dev.ragline.classifier.data;

/** One labelled example. */
public record LabeledText(String text, String label) {
    public LabeledText {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("text must not be blank");
        if (label == null || label.isBlank()) throw new IllegalArgumentException("label must not be blank");
    }
}
