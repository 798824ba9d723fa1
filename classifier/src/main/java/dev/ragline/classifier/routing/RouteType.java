package dev.ragline.classifier.routing;

/** Where a query goes. */
public enum RouteType {
    /** Confident, known intent that may be answered cheaply (template and/or best passage for the intent). */
    DIRECT,
    /** Send to the decoder with retrieved context. */
    GENERATE,
    /** Out of scope: the classifier recognises no intent. */
    ABSTAIN
}
