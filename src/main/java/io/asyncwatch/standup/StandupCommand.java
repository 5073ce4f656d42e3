package io.asyncwatch.standup;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.StandupSummary;
import io.asyncwatch.model.StandupSummary.StandupKind;
import io.asyncwatch.replay.Replayer;
import io.asyncwatch.run.StreamsRunner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * {@code asyncwatch standup}: the latest summary, from a cluster's {@code asyncwatch.standup} topic or from a
 * recording replayed offline.
 */
public final class StandupCommand {

    /** Summaries read back from the end of the topic: more than the daily and a day of rolling ones. */
    private static final int TAIL = 64;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Rolling period (and bucket) of a summary of a recording: the first one after its end covers it all; ten minutes
     * keeps a long recording's replay from summarising its last day every minute.
     */
    public static final long RECORDING_ROLLING_MS = 600_000;

    private StandupCommand() {
    }

    /** @param kind DAILY or ROLLING, or null for the latest of either */
    public static int run(AsyncwatchConfig config, Path recording, StandupKind kind, StandupFormat.Style style,
                          PrintStream out, PrintStream err) throws IOException {
        Optional<StandupSummary> latest = recording != null ? fromRecording(config, recording, kind, err)
                : fromCluster(config, kind, err);
        if (latest.isEmpty()) {
            err.println("asyncwatch: no " + (kind == null ? "" : kind.name().toLowerCase(java.util.Locale.ROOT) + " ")
                    + "standup summary " + (recording != null ? "in " + recording + " (a summary needs a whole period"
                    + " boundary of event time, plus settle time, inside the recording)"
                    : "on " + config.topics().standup() + " yet (one is published every "
                    + config.settings(StandupSettings.SPEC).rollingEveryMs() / 60_000 + " min of event time)"));
            return 1;
        }
        out.print(StandupFormat.format(latest.get(), style));
        out.flush();
        return 0;
    }

    /**
     * Replays the recording with a rolling summary every {@link #RECORDING_ROLLING_MS} of event time and returns the
     * first one that covers the whole recording: the ones published during the silence after it say the same.
     */
    public static Optional<StandupSummary> fromRecording(AsyncwatchConfig config, Path recording, StandupKind kind,
                                                         PrintStream err) throws IOException {
        AsyncwatchConfig summarised = summarising(config);
        List<StandupSummary> all = new ArrayList<>();
        Replayer.Summary replayed;
        try (BufferedReader in = Files.newBufferedReader(recording, StandardCharsets.UTF_8)) {
            replayed = Replayer.replay(summarised, in, new Replayer.Listener() {
                @Override
                public void alert(io.asyncwatch.model.Alert alert) {
                }

                @Override
                public void standup(StandupSummary summary) {
                    all.add(summary);
                }
            });
        }
        err.printf("standup: replayed %,d records, %d summaries%n", replayed.records(), all.size());
        return covering(all, replayed.lastRecordTime(), kind);
    }

    /** {@code config} with a rolling summary every {@link #RECORDING_ROLLING_MS}, for replaying a recording. */
    public static AsyncwatchConfig summarising(AsyncwatchConfig config) {
        StandupSettings s = config.settings(StandupSettings.SPEC);
        return config.withSettings(StandupSettings.SPEC, s.withRolling(RECORDING_ROLLING_MS, RECORDING_ROLLING_MS,
                s.settleMs()));
    }

    /**
     * The first summary (of {@code kind}, or either when null) whose period ends at or after {@code end}, the last
     * record's time: the ones published during the silence after it say the same. Else the latest.
     */
    public static Optional<StandupSummary> covering(List<StandupSummary> all, long end, StandupKind kind) {
        Optional<StandupSummary> covering = all.stream().filter(x -> kind == null || x.kind() == kind)
                .filter(x -> x.periodEnd() >= end).min(Comparator.comparingLong(StandupSummary::periodEnd));
        return covering.isPresent() ? covering : latest(all, kind);
    }

    static Optional<StandupSummary> latest(List<StandupSummary> all, StandupKind kind) {
        return all.stream().filter(x -> kind == null || x.kind() == kind)
                .max(Comparator.comparingLong(StandupSummary::periodEnd)
                        .thenComparing(x -> x.kind() == StandupKind.DAILY));
    }

    /** The last summaries of every partition of the standup topic (committed ones only). */
    public static Optional<StandupSummary> fromCluster(AsyncwatchConfig config, StandupKind kind, PrintStream err) {
        String topic = config.topics().standup();
        Deserializer<StandupSummary> values = io.asyncwatch.topics.Topics.from(config).standup().valueSerde()
                .deserializer();
        List<StandupSummary> all = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                StreamsRunner.consumerProperties(config, "asyncwatch-standup-cli"))) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, READ_TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                err.println("asyncwatch: topic " + topic + " does not exist (is asyncwatch running with the standup"
                        + " enabled against this cluster?)");
                return Optional.empty();
            }
            List<TopicPartition> parts = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, READ_TIMEOUT);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts, READ_TIMEOUT);
            Map<TopicPartition, Long> left = new HashMap<>();
            for (TopicPartition tp : parts) {
                consumer.seek(tp, Math.max(begin.get(tp), end.get(tp) - TAIL));
                if (end.get(tp) > begin.get(tp)) {
                    left.put(tp, end.get(tp));
                }
            }
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (!left.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        all.add(values.deserialize(topic, r.value()));
                    } catch (RuntimeException e) {
                        err.println("asyncwatch: skipped an unreadable standup record at " + r.topic() + "-"
                                + r.partition() + "@" + r.offset() + ": " + e.getMessage());
                    }
                }
                left.keySet().removeIf(tp -> consumer.position(tp) >= left.get(tp));
            }
        }
        return latest(all, kind);
    }
}
