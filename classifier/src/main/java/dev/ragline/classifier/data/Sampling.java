package dev.ragline.classifier.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Seeded, reproducible splits and draws of labelled examples (indices into the input list). */
public final class Sampling {
    private Sampling() {
    }

    /** Indices split into (kept, held out) with about {@code fraction} of every label held out (at least one if the label has two or more). */
    public static List<List<Integer>> stratifiedHoldout(List<String> labels, double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1)) throw new IllegalArgumentException("fraction must be in (0, 1)");
        Random random = new Random(seed);
        List<Integer> kept = new ArrayList<>(), held = new ArrayList<>();
        for (List<Integer> group : byLabel(labels).values()) {
            Collections.shuffle(group, random);
            int h = group.size() < 2 ? 0 : Math.max(1, (int) Math.round(fraction * group.size()));
            held.addAll(group.subList(0, h));
            kept.addAll(group.subList(h, group.size()));
        }
        Collections.sort(kept);
        Collections.sort(held);
        return List.of(kept, held);
    }

    /** Up to {@code perLabel} indices of every label, drawn at random (the MTEB few-shot protocol). */
    public static List<Integer> samplePerLabel(List<String> labels, int perLabel, long seed) {
        Random random = new Random(seed);
        List<Integer> out = new ArrayList<>();
        for (List<Integer> group : byLabel(labels).values()) {
            Collections.shuffle(group, random);
            out.addAll(group.subList(0, Math.min(perLabel, group.size())));
        }
        Collections.sort(out);
        return out;
    }

    private static Map<String, List<Integer>> byLabel(List<String> labels) {
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < labels.size(); i++) groups.computeIfAbsent(labels.get(i), l -> new ArrayList<>()).add(i);
        return groups;
    }
}
