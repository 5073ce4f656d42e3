package io.asyncwatch.demo;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.run.StreamsRunner;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The topics of a run on the embedded broker: created from the topic layout, their partitions, their end offsets,
 * and the positions a new application starts from.
 */
final class TopicSetup {

    private static final long TIMEOUT_SECONDS = 60;

    private final AsyncwatchConfig cfg;
    private final Map<String, Integer> partitions;

    private TopicSetup(AsyncwatchConfig cfg, Map<String, Integer> partitions) {
        this.cfg = cfg;
        this.partitions = partitions;
    }

    /** Creates the missing topics of the layout and reads the partition counts of the inputs, alerts and DLQ. */
    static TopicSetup create(AsyncwatchConfig cfg) {
        try (Admin admin = admin(cfg)) {
            StreamsRunner.createTopics(admin, cfg);
            List<String> names = new ArrayList<>(inputTopics(cfg));
            names.add(cfg.topics().alerts());
            names.add(cfg.topics().dlq());
            Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Map<String, Integer> partitions = new TreeMap<>();
            described.forEach((name, d) -> partitions.put(name, d.partitions().size()));
            return new TopicSetup(cfg, partitions);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the topics: " + e, e);
        }
    }

    /** requests, heartbeats, clocks: their configured names. */
    List<String> inputTopics() {
        return inputTopics(cfg);
    }

    int partitionCount(String topic) {
        Integer n = partitions.get(topic);
        if (n == null) {
            throw new IllegalArgumentException("topic " + topic + " is not one of " + partitions.keySet());
        }
        return n;
    }

    List<TopicPartition> partitionsOf(Collection<String> topics) {
        List<TopicPartition> all = new ArrayList<>();
        for (String topic : topics) {
            for (int p = 0; p < partitionCount(topic); p++) {
                all.add(new TopicPartition(topic, p));
            }
        }
        return all;
    }

    /** Creates a topic outside the layout (the benchmark's pass-through output), unless it exists. */
    void createTopic(String name, int partitionCount) {
        try (Admin admin = admin(cfg)) {
            if (!admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).contains(name)) {
                admin.createTopics(List.of(new NewTopic(name, Optional.of(partitionCount), Optional.empty())))
                        .all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + name + ": " + e, e);
        }
    }

    /** The end offset of every partition of {@code topics}. */
    Map<TopicPartition, Long> endOffsets(Collection<String> topics) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitionsOf(topics).forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        try (Admin admin = admin(cfg)) {
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .forEach((tp, info) -> ends.put(tp, info.offset()));
            return ends;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the end offsets of " + topics + ": " + e, e);
        }
    }

    /** Commits the input topics' current end offsets for a new application, so it skips what is already there. */
    void startAtEnd(String applicationId) {
        Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
        endOffsets(inputTopics()).forEach((tp, end) -> start.put(tp, new OffsetAndMetadata(end)));
        try (Admin admin = admin(cfg)) {
            admin.alterConsumerGroupOffsets(applicationId, start).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot position the application after the existing input: " + e, e);
        }
    }

    static List<String> inputTopics(AsyncwatchConfig cfg) {
        return List.of(cfg.topics().requests(), cfg.topics().heartbeats(), cfg.topics().clocks());
    }

    private static Admin admin(AsyncwatchConfig cfg) {
        return Admin.create(StreamsRunner.adminProperties(cfg));
    }
}
