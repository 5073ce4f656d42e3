package io.asyncwatch.config;

import io.asyncwatch.detect.retrystorm.RetryStormSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Every setting of asyncwatch, typed. Keys starting with {@code asyncwatch.} are ours and are checked (an unknown
 * one is an error, so a typo cannot silently fall back to a default); every other key is a Kafka client / Streams
 * property and passes through untouched, so SASL, SSL and tuning need no code.
 *
 * <p>Environment overrides: {@code ASYNCWATCH_RETRY_STORM_WARN_MULTIPLIER} sets
 * {@code asyncwatch.retry-storm.warn-multiplier}; {@code KAFKA_SASL_JAAS_CONFIG} sets {@code sasl.jaas.config}.
 */
public record AsyncwatchConfig(
        TopicNames topics,
        Format inputFormat,
        Format outputFormat,
        AvroSchemaIds avroSchemaIds,
        long maxClockSkewMs,
        long graceMs,
        RetryStormSettings retryStorm,
        int resolveAfterWindows,
        boolean inMemoryStores,
        Map<String, String> kafka) {

    public enum Format { JSON, AVRO }

    public record TopicNames(String requests, String heartbeats, String clocks, String alerts, String dlq,
                             String metrics) {
    }

    /** Ids under which the schemas are registered in the schema registry, written into the Avro wire header. */
    public record AvroSchemaIds(int request, int heartbeat, int clock, int alert, int deadLetter, int metric) {
    }

    public static final String PREFIX = "asyncwatch.";

    /** Every key of ours with its default, in documentation order. */
    public static final Map<String, String> DEFAULTS = defaults();

    public AsyncwatchConfig {
        kafka = Collections.unmodifiableMap(new TreeMap<>(kafka));
        if (maxClockSkewMs <= 0) throw new IllegalArgumentException(PREFIX + "event-time.max-skew-ms must be positive");
        if (graceMs < 0) throw new IllegalArgumentException(PREFIX + "event-time.grace-ms must not be negative");
        if (resolveAfterWindows < 1) {
            throw new IllegalArgumentException(PREFIX + "alerts.resolve-after-windows must be at least 1");
        }
    }

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("asyncwatch.topic.requests", "asyncwatch.requests");
        d.put("asyncwatch.topic.heartbeats", "asyncwatch.heartbeats");
        d.put("asyncwatch.topic.clocks", "asyncwatch.clocks");
        d.put("asyncwatch.topic.alerts", "asyncwatch.alerts");
        d.put("asyncwatch.topic.dlq", "asyncwatch.dlq");
        d.put("asyncwatch.topic.metrics", "asyncwatch.metrics");
        d.put("asyncwatch.input.format", "json");
        d.put("asyncwatch.output.format", "json");
        d.put("asyncwatch.avro.schema-id.request", "1");
        d.put("asyncwatch.avro.schema-id.heartbeat", "2");
        d.put("asyncwatch.avro.schema-id.clock", "3");
        d.put("asyncwatch.avro.schema-id.alert", "4");
        d.put("asyncwatch.avro.schema-id.dead-letter", "5");
        d.put("asyncwatch.avro.schema-id.retry-window-metric", "6");
        d.put("asyncwatch.event-time.max-skew-ms", "300000");
        d.put("asyncwatch.event-time.grace-ms", "30000");
        RetryStormSettings r = RetryStormSettings.DEFAULTS;
        d.put("asyncwatch.retry-storm.window-ms", Long.toString(r.windowMs()));
        d.put("asyncwatch.retry-storm.baseline-ms", Long.toString(r.baselineMs()));
        d.put("asyncwatch.retry-storm.warn-multiplier", Double.toString(r.warnMultiplier()));
        d.put("asyncwatch.retry-storm.page-multiplier", Double.toString(r.pageMultiplier()));
        d.put("asyncwatch.retry-storm.baseline-floor", Double.toString(r.baselineFloor()));
        d.put("asyncwatch.retry-storm.min-window-attempts", Long.toString(r.minWindowAttempts()));
        d.put("asyncwatch.retry-storm.min-baseline-attempts", Long.toString(r.minBaselineAttempts()));
        d.put("asyncwatch.retry-storm.max-p-value", Double.toString(r.maxPValue()));
        d.put("asyncwatch.alerts.resolve-after-windows", "3");
        d.put("asyncwatch.state.in-memory", "false");
        return Collections.unmodifiableMap(d);
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
        DEFAULTS.keySet().forEach(k -> byEnvName.put(envName(k), k));
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
        Set<String> unknown = new TreeSet<>();
        Map<String, String> ours = new LinkedHashMap<>(DEFAULTS);
        Map<String, String> kafka = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(PREFIX)) {
                if (!DEFAULTS.containsKey(k)) {
                    unknown.add(k);
                }
                ours.put(k, v);
            } else {
                kafka.put(k, v);
            }
        });
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown setting(s) " + unknown + "; known asyncwatch settings: "
                    + DEFAULTS.keySet());
        }
        Values r = new Values(ours);
        return new AsyncwatchConfig(
                new TopicNames(r.text("asyncwatch.topic.requests"), r.text("asyncwatch.topic.heartbeats"),
                        r.text("asyncwatch.topic.clocks"), r.text("asyncwatch.topic.alerts"),
                        r.text("asyncwatch.topic.dlq"), r.text("asyncwatch.topic.metrics")),
                r.format("asyncwatch.input.format"),
                r.format("asyncwatch.output.format"),
                new AvroSchemaIds(r.integer("asyncwatch.avro.schema-id.request"),
                        r.integer("asyncwatch.avro.schema-id.heartbeat"), r.integer("asyncwatch.avro.schema-id.clock"),
                        r.integer("asyncwatch.avro.schema-id.alert"), r.integer("asyncwatch.avro.schema-id.dead-letter"),
                        r.integer("asyncwatch.avro.schema-id.retry-window-metric")),
                r.longValue("asyncwatch.event-time.max-skew-ms"),
                r.longValue("asyncwatch.event-time.grace-ms"),
                new RetryStormSettings(
                        r.longValue("asyncwatch.retry-storm.window-ms"),
                        r.longValue("asyncwatch.retry-storm.baseline-ms"),
                        r.number("asyncwatch.retry-storm.warn-multiplier"),
                        r.number("asyncwatch.retry-storm.page-multiplier"),
                        r.number("asyncwatch.retry-storm.baseline-floor"),
                        r.longValue("asyncwatch.retry-storm.min-window-attempts"),
                        r.longValue("asyncwatch.retry-storm.min-baseline-attempts"),
                        r.number("asyncwatch.retry-storm.max-p-value")),
                r.integer("asyncwatch.alerts.resolve-after-windows"),
                r.bool("asyncwatch.state.in-memory"),
                kafka);
    }

    /** A copy with other Kafka properties laid over these (used by the demo and tests to point at a broker). */
    public AsyncwatchConfig withKafka(Map<String, String> overrides) {
        Map<String, String> merged = new TreeMap<>(kafka);
        merged.putAll(overrides);
        return new AsyncwatchConfig(topics, inputFormat, outputFormat, avroSchemaIds, maxClockSkewMs, graceMs,
                retryStorm, resolveAfterWindows, inMemoryStores, merged);
    }

    public AsyncwatchConfig withInMemoryStores(boolean inMemory) {
        return new AsyncwatchConfig(topics, inputFormat, outputFormat, avroSchemaIds, maxClockSkewMs, graceMs,
                retryStorm, resolveAfterWindows, inMemory, kafka);
    }

    private record Values(Map<String, String> values) {
        String text(String key) {
            String v = values.get(key) == null ? null : values.get(key).trim();
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException(key + " must not be empty");
            }
            return v;
        }

        <T> T parse(String key, String expected, Function<String, T> parser) {
            String v = text(key);
            try {
                return parser.apply(v);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(key + ": expected " + expected + ", got '" + v + "'", e);
            }
        }

        long longValue(String key) {
            return parse(key, "a whole number", Long::parseLong);
        }

        int integer(String key) {
            return parse(key, "a whole number", Integer::parseInt);
        }

        double number(String key) {
            double d = parse(key, "a number", Double::parseDouble);
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException(key + ": expected a finite number, got '" + values.get(key) + "'");
            }
            return d;
        }

        boolean bool(String key) {
            return parse(key, "true or false", v -> {
                if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                    throw new IllegalArgumentException(v);
                }
                return Boolean.parseBoolean(v);
            });
        }

        Format format(String key) {
            return parse(key, "json or avro", v -> Format.valueOf(v.toUpperCase(Locale.ROOT)));
        }
    }
}
