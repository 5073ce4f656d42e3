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
}
