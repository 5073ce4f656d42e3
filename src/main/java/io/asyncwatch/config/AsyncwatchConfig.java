package io.asyncwatch.config;

import io.asyncwatch.alert.AlertSettings;
import io.asyncwatch.detect.Detectors;
import io.asyncwatch.detect.calls.CallWindowSettings;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.time.EventTimeSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every setting of asyncwatch, typed. Keys starting with {@code asyncwatch.} are ours and are checked (an unknown
 * one is an error, so a typo cannot silently fall back to a default); every other key is a Kafka client / Streams
 * property and passes through untouched, so SASL, SSL and tuning need no code.
 *
 * <p>The core keys (topics, formats, schema ids, state) are here; {@code event-time}, {@code alerts} and each
 * detector own a section ({@link SettingsSpec}) with their keys, defaults and validation.
 *
 * <p>Environment overrides: {@code ASYNCWATCH_RETRY_STORM_WARN_MULTIPLIER} sets
 * {@code asyncwatch.retry-storm.warn-multiplier}; {@code KAFKA_SASL_JAAS_CONFIG} sets {@code sasl.jaas.config}.
 */
public record AsyncwatchConfig(
        TopicNames topics,
        Format inputFormat,
        Format outputFormat,
        AvroSchemaIds avroSchemaIds,
        boolean inMemoryStores,
        boolean replayStores,
        int rocksDbMemoryMb,
        String instanceName,
        Map<String, Object> sections,
        Map<String, String> kafka) {

    public enum Format { JSON, AVRO }

    public record TopicNames(String requests, String heartbeats, String clocks, String alerts, String dlq,
                             String metrics, String standup) {
    }

    /** Ids under which the schemas are registered in the schema registry, written into the Avro wire header. */
    public record AvroSchemaIds(int request, int heartbeat, int clock, int alert, int deadLetter, int metric,
                                int standup) {
    }

    public static final String PREFIX = "asyncwatch.";

    public AsyncwatchConfig {
        sections = Collections.unmodifiableMap(new TreeMap<>(sections));
        kafka = Collections.unmodifiableMap(new TreeMap<>(kafka));
    }

    /** The sections besides the core keys: event time, alerts, then every registered detector. */
    public static List<SettingsSpec<?>> specs() {
        List<SettingsSpec<?>> specs = new ArrayList<>();
        specs.add(EventTimeSettings.SPEC);
        specs.add(AlertSettings.SPEC);
        specs.add(io.asyncwatch.standup.StandupSettings.SPEC);
        specs.add(io.asyncwatch.dashboard.DashboardSettings.SPEC);
        specs.add(io.asyncwatch.alertmanager.AlertmanagerSettings.SPEC);
        specs.add(CallWindowSettings.SPEC);
        specs.add(io.asyncwatch.detect.DetectorSelection.SPEC);
        Detectors.all().forEach(d -> specs.add(d.settings()));
        return specs;
    }

    /** Every key of ours with its default, in documentation order. */
    public static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("asyncwatch.topic.requests", "asyncwatch.requests");
        d.put("asyncwatch.topic.heartbeats", "asyncwatch.heartbeats");
        d.put("asyncwatch.topic.clocks", "asyncwatch.clocks");
        d.put("asyncwatch.topic.alerts", "asyncwatch.alerts");
        d.put("asyncwatch.topic.dlq", "asyncwatch.dlq");
        d.put("asyncwatch.topic.metrics", "asyncwatch.metrics");
        d.put("asyncwatch.topic.standup", "asyncwatch.standup");
        d.put("asyncwatch.input.format", "json");
        d.put("asyncwatch.output.format", "json");
        d.put("asyncwatch.avro.schema-id.request", "1");
        d.put("asyncwatch.avro.schema-id.heartbeat", "2");
        d.put("asyncwatch.avro.schema-id.clock", "3");
        d.put("asyncwatch.avro.schema-id.alert", "4");
        d.put("asyncwatch.avro.schema-id.dead-letter", "5");
        d.put("asyncwatch.avro.schema-id.metric", "6");
        d.put("asyncwatch.avro.schema-id.standup", "7");
        d.put("asyncwatch.state.in-memory", "true");
        d.put("asyncwatch.state.rocksdb-memory-mb", "256");
        d.put("asyncwatch.instance.name", "");
        for (SettingsSpec<?> spec : specs()) {
            spec.defaults().forEach((k, v) -> d.put(spec.prefix() + k, v));
        }
        return Collections.unmodifiableMap(d);
    }

    /** The typed settings of one section. */
    public <S> S settings(SettingsSpec<S> spec) {
        Object s = sections.get(spec.name());
        if (s == null) {
            throw new IllegalStateException("settings section " + spec.name() + " is not registered");
        }
        @SuppressWarnings("unchecked")
        S typed = (S) s;
        return typed;
    }

    public EventTimeSettings eventTime() {
        return settings(EventTimeSettings.SPEC);
    }

    public AlertSettings alerts() {
        return settings(AlertSettings.SPEC);
    }

    /** Reads a properties file, then applies overrides from {@code env} (pass {@code System.getenv()}). */
    public static AsyncwatchConfig load(Path file, Map<String, String> env) {
        Map<String, String> values = new TreeMap<>();
        if (file != null) {
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("config file " + file + " does not exist or is not readable");
            }
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
            }
            // Our values are trimmed when parsed; Kafka's pass through exactly (a password may end in a space).
            p.stringPropertyNames().forEach(k -> values.put(k, p.getProperty(k)));
        }
        values.putAll(fromEnvironment(env));
        return fromMap(values);
    }

    /** Read by the launcher script, not settings. */
    private static final Set<String> LAUNCHER_VARIABLES = Set.of("ASYNCWATCH_JAVA_OPTS");

    /** Set by Kafka's own scripts and images for the JVM, not client properties. */
    private static final Set<String> KAFKA_LAUNCHER_VARIABLES = Set.of("KAFKA_HOME", "KAFKA_OPTS", "KAFKA_HEAP_OPTS",
            "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_LOG4J_OPTS", "KAFKA_JMX_OPTS", "KAFKA_GC_LOG_OPTS", "KAFKA_DEBUG",
            "KAFKA_VERSION", "KAFKA_CLUSTER_ID");

    /** {@code ASYNCWATCH_*} maps onto our known keys, {@code KAFKA_*} onto lower-case dotted Kafka properties. */
    static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> byEnvName = new TreeMap<>();
        defaults().keySet().forEach(k -> byEnvName.put(envName(k), k));
        Map<String, String> out = new TreeMap<>();
        Set<String> unknown = new TreeSet<>();
        env.forEach((name, value) -> {
            if (name.startsWith("ASYNCWATCH_") && byEnvName.containsKey(name)) {
                out.put(byEnvName.get(name), value.trim());
            } else if (name.startsWith("ASYNCWATCH_") && !LAUNCHER_VARIABLES.contains(name)) {
                unknown.add(name);
            } else if (name.startsWith("KAFKA_") && name.length() > "KAFKA_".length()
                    && !KAFKA_LAUNCHER_VARIABLES.contains(name)) {
                out.put(name.substring("KAFKA_".length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown environment variable(s) " + unknown
                    + "; asyncwatch settings map to " + byEnvName.keySet());
        }
        return out;
    }

    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public static AsyncwatchConfig fromMap(Map<String, String> values) {
        Map<String, String> defaults = defaults();
        Set<String> unknown = new TreeSet<>();
        Map<String, String> ours = new LinkedHashMap<>(defaults);
        Map<String, String> kafka = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(PREFIX)) {
                if (!defaults.containsKey(k)) {
                    unknown.add(k);
                }
                ours.put(k, v);
            } else {
                kafka.put(k, v);
            }
        });
        if (!unknown.isEmpty()) {
            StringBuilder msg = new StringBuilder("unknown setting(s)");
            for (String k : unknown) {
                msg.append(' ').append(k).append(" (did you mean ").append(closest(k, defaults.keySet())).append("?)");
            }
            throw new IllegalArgumentException(msg + "; config/asyncwatch.properties lists every setting");
        }
        Section r = new Section("", ours);
        Map<String, Object> sections = new TreeMap<>();
        for (SettingsSpec<?> spec : specs()) {
            Map<String, String> own = new LinkedHashMap<>();
            spec.defaults().keySet().forEach(k -> own.put(k, ours.get(spec.prefix() + k)));
            sections.put(spec.name(), spec.parse(new Section(spec.prefix(), own)));
        }
        long window = ((io.asyncwatch.detect.retrystorm.RetryStormSettings) sections.get("retry-storm")).windowMs();
        long grace = ((EventTimeSettings) sections.get("event-time")).graceMs();
        if (window <= grace) {
            // A window's clear finding comes grace after its end; silence must not resolve before it can.
            throw new IllegalArgumentException("asyncwatch.retry-storm.window-ms (" + window
                    + ") must be longer than asyncwatch.event-time.grace-ms (" + grace + ")");
        }
        return new AsyncwatchConfig(
                new TopicNames(r.text("asyncwatch.topic.requests"), r.text("asyncwatch.topic.heartbeats"),
                        r.text("asyncwatch.topic.clocks"), r.text("asyncwatch.topic.alerts"),
                        r.text("asyncwatch.topic.dlq"), r.text("asyncwatch.topic.metrics"),
                        r.text("asyncwatch.topic.standup")),
                r.enumValue("asyncwatch.input.format", Format.class),
                r.enumValue("asyncwatch.output.format", Format.class),
                new AvroSchemaIds(r.integer("asyncwatch.avro.schema-id.request"),
                        r.integer("asyncwatch.avro.schema-id.heartbeat"), r.integer("asyncwatch.avro.schema-id.clock"),
                        r.integer("asyncwatch.avro.schema-id.alert"),
                        r.integer("asyncwatch.avro.schema-id.dead-letter"),
                        r.integer("asyncwatch.avro.schema-id.metric"),
                        r.integer("asyncwatch.avro.schema-id.standup")),
                r.bool("asyncwatch.state.in-memory"),
                false,
                rocksDbMemory(r.integer("asyncwatch.state.rocksdb-memory-mb")),
                ours.get("asyncwatch.instance.name") == null ? "" : ours.get("asyncwatch.instance.name").trim(),
                sections,
                kafka);
    }

    private static int rocksDbMemory(int mb) {
        if (mb < 16 || mb > 1 << 20) {
            throw new IllegalArgumentException("asyncwatch.state.rocksdb-memory-mb must be between 16 and 1048576, got "
                    + mb);
        }
        return mb;
    }

    /** The known key with the smallest edit distance: what a typo most likely meant. */
    static String closest(String key, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(key, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** A copy with other Kafka properties laid over these (used by the demo and tests to point at a broker). */
    public AsyncwatchConfig withKafka(Map<String, String> overrides) {
        Map<String, String> merged = new TreeMap<>(kafka);
        merged.putAll(overrides);
        return new AsyncwatchConfig(topics, inputFormat, outputFormat, avroSchemaIds, inMemoryStores, replayStores,
                rocksDbMemoryMb, instanceName, sections, merged);
    }

    /** A copy with one section's settings replaced (the demo's shorter standup period). */
    public <S> AsyncwatchConfig withSettings(SettingsSpec<S> spec, S settings) {
        Map<String, Object> copy = new TreeMap<>(sections);
        if (!copy.containsKey(spec.name())) {
            throw new IllegalStateException("settings section " + spec.name() + " is not registered");
        }
        copy.put(spec.name(), settings);
        return new AsyncwatchConfig(topics, inputFormat, outputFormat, avroSchemaIds, inMemoryStores, replayStores,
                rocksDbMemoryMb, instanceName, copy, kafka);
    }

    public AsyncwatchConfig withInMemoryStores(boolean inMemory) {
        return new AsyncwatchConfig(topics, inputFormat, outputFormat, avroSchemaIds, inMemory,
                replayStores && inMemory, rocksDbMemoryMb, instanceName, sections, kafka);
    }

    /** For replay and tests, offline: stores in memory and without changelogs (there is nothing to restore from). */
    public AsyncwatchConfig withReplayStores() {
        return new AsyncwatchConfig(topics, inputFormat, outputFormat, avroSchemaIds, true, true, rocksDbMemoryMb,
                instanceName, sections, kafka);
    }

    public StoreMode storeMode() {
        return replayStores ? StoreMode.REPLAY : inMemoryStores ? StoreMode.IN_MEMORY : StoreMode.PERSISTENT;
    }
}
