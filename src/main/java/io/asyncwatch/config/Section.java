package io.asyncwatch.config;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** The values of one settings section, read as types; every error names the full key and the value. */
public final class Section {

    private final String prefix;
    private final Map<String, String> values;

    public Section(String prefix, Map<String, String> values) {
        this.prefix = prefix;
        this.values = values;
    }

    public String text(String key) {
        String raw = values.get(key);
        String v = raw == null ? null : raw.trim();
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(prefix + key + " must not be empty");
        }
        return v;
    }

    /** A value that may be left empty: "" then. */
    public String optionalText(String key) {
        String raw = values.get(key);
        return raw == null ? "" : raw.trim();
    }

    private <T> T parse(String key, String expected, Function<String, T> parser) {
        String v = text(key);
        try {
            return parser.apply(v);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(prefix + key + ": expected " + expected + ", got '" + v + "'", e);
        }
    }

    public long longValue(String key) {
        return parse(key, "a whole number", v -> Long.parseLong(v.replace("_", "")));
    }

    public int integer(String key) {
        return parse(key, "a whole number", v -> Integer.parseInt(v.replace("_", "")));
    }

    public double number(String key) {
        double d = parse(key, "a number", Double::parseDouble);
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException(prefix + key + ": expected a finite number, got '" + text(key) + "'");
        }
        return d;
    }

    public boolean bool(String key) {
        return parse(key, "true or false", v -> {
            if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                throw new IllegalArgumentException(v);
            }
            return Boolean.parseBoolean(v);
        });
    }

    public <E extends Enum<E>> E enumValue(String key, Class<E> type) {
        return parse(key, "one of " + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT),
                v -> Enum.valueOf(type, v.toUpperCase(Locale.ROOT).replace('-', '_')));
    }

    /** Validation inside a settings record: the message says which section. */
    public static void require(boolean ok, String section, String message) {
        if (!ok) {
            throw new IllegalArgumentException(AsyncwatchConfig.PREFIX + section + " settings: " + message);
        }
    }
}
