package io.asyncwatch.run;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/** Where the plain consumers of asyncwatch's own topics (dashboard, Alertmanager sink) start reading. */
public final class Seek {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Seek() {
    }

    /**
     * Assigns every partition of {@code topics} (those that exist) and positions each at its first record stamped at
     * or after {@code fromTime}, or at its end when there is none.
     */
    public static void fromTime(KafkaConsumer<?, ?> c, List<String> topics, long fromTime) {
        Map<String, Long> from = new java.util.LinkedHashMap<>();
        topics.forEach(t -> from.put(t, fromTime));
        fromTimes(c, from);
    }

    /** As {@link #fromTime}, each topic from a time of its own (one assignment: a second would replace the first). */
    public static void fromTimes(KafkaConsumer<?, ?> c, Map<String, Long> fromTimeByTopic) {
        List<TopicPartition> parts = new ArrayList<>();
        for (String t : fromTimeByTopic.keySet()) {
            List<PartitionInfo> infos = c.partitionsFor(t, TIMEOUT);
            if (infos != null) {
                infos.forEach(i -> parts.add(new TopicPartition(t, i.partition())));
            }
        }
        c.assign(parts);
        Map<TopicPartition, Long> query = new HashMap<>();
        parts.forEach(tp -> query.put(tp, Math.max(0, fromTimeByTopic.get(tp.topic()))));
        Map<TopicPartition, OffsetAndTimestamp> found = c.offsetsForTimes(query, TIMEOUT);
        Map<TopicPartition, Long> end = c.endOffsets(parts, TIMEOUT);
        for (TopicPartition tp : parts) {
            OffsetAndTimestamp o = found.get(tp);
            c.seek(tp, o == null ? end.get(tp) : o.offset());
        }
    }
}
