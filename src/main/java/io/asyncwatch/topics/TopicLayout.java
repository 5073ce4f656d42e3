package io.asyncwatch.topics;

import io.asyncwatch.config.AsyncwatchConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Partitions and broker-side configs of the external topics, from {@code topology/topics.properties}
 * (keys {@code <logical>.partitions} and {@code <logical>.config.<broker topic config>}).
 */
public final class TopicLayout {

    public static final String RESOURCE = "topology/topics.properties";
    public static final List<String> LOGICAL = List.of("requests", "heartbeats", "clocks", "alerts", "dlq", "metrics",
            "standup");

    public record TopicPlan(String logical, String name, int partitions, Map<String, String> configs) {
    }

    private TopicLayout() {
    }

    public static List<TopicPlan> plans(AsyncwatchConfig config) {
        Properties p = new Properties();
        try (InputStream in = TopicLayout.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        AsyncwatchConfig.TopicNames n = config.topics();
        Map<String, String> names = Map.of("requests", n.requests(), "heartbeats", n.heartbeats(),
                "clocks", n.clocks(), "alerts", n.alerts(), "dlq", n.dlq(), "metrics", n.metrics(),
                "standup", n.standup());
        List<TopicPlan> plans = new ArrayList<>();
        for (String logical : LOGICAL) {
            String partitions = p.getProperty(logical + ".partitions");
            if (partitions == null) {
                throw new IllegalStateException(RESOURCE + " has no " + logical + ".partitions");
            }
            Map<String, String> configs = new TreeMap<>();
            String prefix = logical + ".config.";
            for (String key : p.stringPropertyNames()) {
                if (key.startsWith(prefix)) {
                    configs.put(key.substring(prefix.length()), p.getProperty(key).trim());
                }
            }
            plans.add(new TopicPlan(logical, names.get(logical), Integer.parseInt(partitions.trim()), configs));
        }
        return plans;
    }
}
