package io.asyncwatch.state;

import java.util.HashMap;
import java.util.Map;

/**
 * One copy of each name that repeats in every record a book keeps in memory (services, layers, nodes): each decoded
 * record brings its own copy. Up to a bound, so a flood of distinct names is kept as it comes, not collected.
 */
public final class SharedNames {

    private static final int MAX_NAMES = 10_000;
    private final Map<String, String> names = new HashMap<>();

    /** The shared copy of {@code name} (null stays null). */
    public String of(String name) {
        if (name == null) {
            return null;
        }
        String known = names.get(name);
        if (known != null) {
            return known;
        }
        if (names.size() < MAX_NAMES) {
            names.put(name, name);
        }
        return name;
    }
}
