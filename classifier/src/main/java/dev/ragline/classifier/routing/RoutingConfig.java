package dev.ragline.classifier.routing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragline.core.MetadataFilter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which intents may be answered directly, and with what. Read from a small JSON file:
 * <pre>{@code
 * {
 *   "directByDefault": true,                 // intents not listed below may be answered directly
 *   "passageFilterKey": "intent",            // default answer: best passage from documents whose
 *                                            // metadata[passageFilterKey] equals the intent (null: none)
 *   "intents": {
 *     "card_arrival": { "template": "Cards arrive within 5 working days.",
 *                       "passageFilter": { "topic": ["cards"] } },
 *     "transfer":     { "direct": false }    // always GENERATE
 *   },
 *   "confidenceThreshold": null,             // override the artifact's threshold (null: keep it)
 *   "oosThreshold": null                     // override the artifact's out-of-scope threshold
 * }
 * }</pre>
 * Unknown top-level or per-intent keys are refused, so a typo cannot silently change routing.
 */
public record RoutingConfig(boolean directByDefault, String passageFilterKey, Map<String, IntentRule> intents,
                            Double confidenceThreshold, Double oosThreshold) {

    /** Per-intent rule: {@code direct=false} forbids direct answers; template/filter say how to answer. */
    public record IntentRule(boolean direct, String template, MetadataFilter passageFilter) {
    }

    private static final Set<String> TOP_KEYS = Set.of("directByDefault", "passageFilterKey", "intents",
            "confidenceThreshold", "oosThreshold");
    private static final Set<String> INTENT_KEYS = Set.of("direct", "template", "passageFilter");

    public RoutingConfig {
        intents = Map.copyOf(intents);
        if (confidenceThreshold != null && !(confidenceThreshold >= 0))
            throw new IllegalArgumentException("confidenceThreshold must be >= 0");
    }

    /** Every intent may be answered directly with the best passage tagged {@code intent=<label>}. */
    public static RoutingConfig defaults() {
        return new RoutingConfig(true, "intent", Map.of(), null, null);
    }

    /** The direct answer for an intent, or null if the intent may not be answered directly. */
    public DirectAnswer directAnswer(String intent) {
        IntentRule rule = intents.get(intent);
        if (rule != null && !rule.direct()) return null;
        if (rule == null && !directByDefault) return null;
        String template = rule == null ? null : rule.template();
        MetadataFilter filter = rule != null && rule.passageFilter() != null ? rule.passageFilter()
                : passageFilterKey == null ? null : MetadataFilter.equalTo(passageFilterKey, intent);
        if ((template == null || template.isBlank()) && filter == null) return null;
        return new DirectAnswer(intent, template, filter);
    }

    public static RoutingConfig read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read routing config " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("routing config " + file + ": " + e.getMessage(), e);
        }
    }

    public static RoutingConfig parse(String json) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException("expected a JSON object");
        checkKeys(root, TOP_KEYS, "top level");
        Map<String, IntentRule> rules = new HashMap<>();
        JsonNode intents = root.path("intents");
        if (!intents.isMissingNode() && !intents.isNull()) {
            if (!intents.isObject()) throw new IllegalArgumentException("'intents' must be an object");
            for (var e : intents.properties()) {
                JsonNode rule = e.getValue();
                if (!rule.isObject()) throw new IllegalArgumentException("intent '" + e.getKey() + "' must be an object");
                checkKeys(rule, INTENT_KEYS, "intent '" + e.getKey() + "'");
                rules.put(e.getKey(), new IntentRule(rule.path("direct").asBoolean(true),
                        rule.hasNonNull("template") ? rule.get("template").asText() : null,
                        rule.hasNonNull("passageFilter") ? filter(rule.get("passageFilter"), e.getKey()) : null));
            }
        }
        return new RoutingConfig(root.path("directByDefault").asBoolean(true),
                root.has("passageFilterKey") ? (root.get("passageFilterKey").isNull() ? null : root.get("passageFilterKey").asText()) : "intent",
                rules,
                root.hasNonNull("confidenceThreshold") ? root.get("confidenceThreshold").asDouble() : null,
                root.hasNonNull("oosThreshold") ? root.get("oosThreshold").asDouble() : null);
    }

    /** {@code {"key": "value"}} or {@code {"key": ["v1", "v2"]}}. */
    private static MetadataFilter filter(JsonNode node, String intent) {
        if (!node.isObject()) throw new IllegalArgumentException("passageFilter of intent '" + intent + "' must be an object");
        Map<String, List<String>> anyOf = new HashMap<>();
        for (var e : node.properties()) {
            JsonNode v = e.getValue();
            if (v.isTextual()) anyOf.put(e.getKey(), List.of(v.asText()));
            else if (v.isArray()) anyOf.put(e.getKey(), java.util.stream.StreamSupport.stream(v.spliterator(), false).map(JsonNode::asText).toList());
            else throw new IllegalArgumentException("passageFilter '" + e.getKey() + "' of intent '" + intent + "' must be a string or a list");
        }
        return new MetadataFilter(anyOf);
    }

    private static void checkKeys(JsonNode node, Set<String> allowed, String where) {
        for (var it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!allowed.contains(key)) throw new IllegalArgumentException("unknown key '" + key + "' at " + where + " (allowed: " + allowed + ")");
        }
    }
}
