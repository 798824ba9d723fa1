package dev.ragline.classifier.cli;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** {@code --key value} and {@code --flag} command-line options; unknown options are refused. */
final class Args {
    private final Map<String, String> values = new HashMap<>();
    private final Set<String> used = new HashSet<>();

    Args(String[] args, int from, Set<String> flags) {
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + a + "'");
            String key = a.substring(2);
            if (flags.contains(key)) values.put(key, "true");
            else if (i + 1 < args.length) values.put(key, args[++i]);
            else throw new IllegalArgumentException("option --" + key + " needs a value");
        }
    }

    String get(String key, String fallback) {
        used.add(key);
        return values.getOrDefault(key, fallback);
    }

    String require(String key) {
        used.add(key);
        String v = values.get(key);
        if (v == null) throw new IllegalArgumentException("missing option --" + key);
        return v;
    }

    boolean flag(String key) {
        used.add(key);
        return values.containsKey(key);
    }

    double number(String key, double fallback) {
        String v = get(key, null);
        try {
            return v == null ? fallback : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option --" + key + " needs a number, got '" + v + "'");
        }
    }

    /** Call after reading every option: anything not read was a typo. */
    void checkAllUsed() {
        for (String key : values.keySet()) {
            if (!used.contains(key)) throw new IllegalArgumentException("unknown option --" + key);
        }
    }
}
