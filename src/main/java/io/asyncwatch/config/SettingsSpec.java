package io.asyncwatch.config;

import java.util.Map;

/**
 * One section of settings, {@code asyncwatch.<name>.*}: its keys with defaults (in documentation order) and how
 * they become a typed, validated value. A detector owns its section; registering the detector registers it.
 */
public interface SettingsSpec<S> {

    /** The section name: keys are {@code asyncwatch.<name>.<key>}. */
    String name();

    /** Short key (without the prefix) to default value. */
    Map<String, String> defaults();

    /** Builds the typed settings; throws IllegalArgumentException naming the key and value on a bad one. */
    S parse(Section section);

    default String prefix() {
        return AsyncwatchConfig.PREFIX + name() + ".";
    }

    /** A section from its name, its defaults (short key to value, in documentation order) and its parser. */
    static <S> SettingsSpec<S> of(String name, Map<String, String> defaults, java.util.function.Function<Section,
            S> parse) {
        Map<String, String> copy = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(defaults));
        return new SettingsSpec<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Map<String, String> defaults() {
                return copy;
            }

            @Override
            public S parse(Section section) {
                return parse.apply(section);
            }
        };
    }
}
