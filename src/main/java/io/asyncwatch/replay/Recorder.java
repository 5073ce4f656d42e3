package io.asyncwatch.replay;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.run.StreamsRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code asyncwatch record}: the input topics of a cluster over a range into a recording (JSON Lines, as
 * {@code replay} reads it). Partitions are merged by record timestamp, each in its own order, so the recording is in
 * the order the records were appended as nearly as Kafka can tell; payloads are kept byte for byte
 * ({@link Recording#rawLine}), undecodable ones included. Committed records only (read_committed).
 *
 * <p>Ranges: by record timestamp ({@code --from}/{@code --to}: ISO instants, epoch milliseconds, {@code last 30m},
 * {@code now}), or by offsets ({@code earliest}, {@code latest}, {@code offset:requests-0=120,requests-1=98} with
 * logical or full topic names). The end is fixed when recording starts, so a live topic does not keep it going.
 * A time bound reads {@code asyncwatch.event-time.max-skew-ms} (5 min) beyond itself: producers stamp records with
 * their own clocks, so a partition's timestamps are not in order, and a record that far out of order is within the
 * range asyncwatch trusts record times anyway.
 */
public final class Recorder {

    /** Where one side of the range is: a record time, or an offset per partition (absent: the topic's start/end). */
    public record Bound(Long time, Map<String, Long> offsets, String text) {
        static Bound earliest() {
            return new Bound(null, Map.of(), "earliest");
        }

        static Bound latest() {
            return new Bound(null, Map.of(), "latest");
        }
    }

    /** What was recorded, for the summary on stderr and the tests. */
    public record Result(long records, Map<String, Long> byTopic, long firstTime, long lastTime) {
    }

    private static final Duration POLL = Duration.ofMillis(500);
    /** A partition this far ahead of the merge (records buffered) is paused until the others catch up. */
    static final int HIGH_WATER = 10_000;
    private static final int LOW_WATER = 1_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;
    private static final Pattern LAST = Pattern.compile("last\\s+(\\d+)\\s*(s|m|h|d)", Pattern.CASE_INSENSITIVE);
    private static final Pattern OFFSET = Pattern.compile("(.+)-(\\d+)=(\\d+)");

    private Recorder() {
    }

    /** Parses {@code --from}/{@code --to}; {@code now} is the wall clock (an argument, for tests). */
    public static Bound parse(String text, boolean from, Clock now) {
        String t = text.trim();
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.equals("earliest")) {
            return Bound.earliest();
        }
        if (lower.equals("latest")) {
            return Bound.latest();
        }
        if (lower.equals("now")) {
            return new Bound(now.millis(), Map.of(), t);
        }
        Matcher last = LAST.matcher(lower);
        if (last.matches()) {
            if (!from) {
                throw new IllegalArgumentException("--to '" + t + "': 'last N' is a start; use --from 'last 30m'");
            }
            long n = Long.parseLong(last.group(1));
            long unit = switch (last.group(2)) {
                case "s" -> 1_000L;
                case "m" -> 60_000L;
                case "h" -> 3_600_000L;
                default -> 86_400_000L;
            };
            return new Bound(now.millis() - n * unit, Map.of(), t);
        }
        if (lower.startsWith("offset:")) {
            Map<String, Long> offsets = new LinkedHashMap<>();
            for (String part : t.substring("offset:".length()).split(",")) {
                Matcher m = OFFSET.matcher(part.trim());
                if (!m.matches()) {
                    throw new IllegalArgumentException("'" + part.trim() + "' is not TOPIC-PARTITION=OFFSET (e.g."
                            + " requests-0=120)");
                }
                offsets.put(m.group(1) + "-" + m.group(2), Long.parseLong(m.group(3)));
            }
            return new Bound(null, offsets, t);
        }
        if (t.matches("\\d+")) {
            return new Bound(Long.parseLong(t), Map.of(), t);
        }
        try {
            return new Bound(Instant.parse(t).toEpochMilli(), Map.of(), t);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + t + "' is not an instant (2026-12-07T03:00:00Z), epoch"
                    + " milliseconds, 'last 30m', 'now', 'earliest', 'latest' or offset:TOPIC-PARTITION=OFFSET,...");
        }
    }

    /**
     * Records the configured input topics (logical names in {@code topics}) between {@code from} and {@code to}
     * into {@code out}; progress on {@code err}.
     */
    public static Result record(AsyncwatchConfig config, List<String> topics, Bound from, Bound to, Writer out,
                                PrintStream err) throws IOException {
        Map<String, String> logicalByFull = new LinkedHashMap<>();
        for (String logical : topics) {
            logicalByFull.put(Recording.resolveTopic(logical, config.topics()), logical);
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                StreamsRunner.consumerProperties(config, "asyncwatch-record"))) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String full : logicalByFull.keySet()) {
                List<PartitionInfo> infos = consumer.partitionsFor(full, TIMEOUT);
                if (infos == null || infos.isEmpty()) {
                    throw new IllegalArgumentException("topic " + full + " does not exist on the cluster");
                }
                infos.stream().sorted(java.util.Comparator.comparingInt(PartitionInfo::partition))
                        .forEach(i -> parts.add(new TopicPartition(full, i.partition())));
            }
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts, TIMEOUT);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, TIMEOUT);
            long slack = config.eventTime().maxSkewMs();
            Map<TopicPartition, Long> start = offsets(consumer, parts, from, begin, end, logicalByFull, true, slack);
            Map<TopicPartition, Long> stop = offsets(consumer, parts, to, begin, end, logicalByFull, false, slack);
            Merge merge = new Merge();
            long total = 0;
            Map<TopicPartition, Long> seekTo = new LinkedHashMap<>();
            for (TopicPartition tp : parts) {
                long s = Math.max(start.get(tp), begin.get(tp));
                long e = Math.min(stop.get(tp), end.get(tp));
                if (s < e) {
                    seekTo.put(tp, s);
                    merge.open(tp, e);
                    total += e - s;
                }
            }
            // Only the partitions with something in range: an assigned partition without a position would fail the poll.
            consumer.assign(seekTo.keySet());
            seekTo.forEach(consumer::seek);
            err.printf("record: %s to %s: up to %,d records on %d partitions of %s%n", from.text(), to.text(), total,
                    merge.openCount(), String.join(", ", logicalByFull.keySet()));
            Long fromTime = from.time();
            Long toTime = to.time();
            Map<String, Long> byTopic = new LinkedHashMap<>();
            logicalByFull.values().forEach(l -> byTopic.put(l, 0L));
            long written = 0;
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            long nextProgress = System.nanoTime() + PROGRESS_EVERY_NANOS;
            java.util.Set<TopicPartition> held = new java.util.HashSet<>();
            while (merge.openCount() > 0) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    merge.add(r);
                }
                for (TopicPartition tp : parts) {
                    if (merge.isOpen(tp) && consumer.position(tp) >= merge.stopOf(tp)) {
                        merge.allRead(tp);
                        consumer.pause(List.of(tp));
                    } else if (merge.isOpen(tp) && merge.buffered(tp) > HIGH_WATER && held.add(tp)) {
                        // A sparse partition runs ahead in time of a dense one: hold it rather than buffer all of it.
                        consumer.pause(List.of(tp));
                    }
                }
                ConsumerRecord<byte[], byte[]> r;
                while ((r = merge.next()) != null) {
                    long ts = r.timestamp();
                    if ((fromTime != null && ts < fromTime) || (toTime != null && ts >= toTime)) {
                        continue; // read for the slack of out-of-order timestamps, outside the range
                    }
                    String logical = logicalByFull.get(r.topic());
                    out.write(Recording.rawLine(logical, ts, r.key() == null ? null
                            : new String(r.key(), StandardCharsets.UTF_8), r.value()));
                    out.write('\n');
                    written++;
                    byTopic.merge(logical, 1L, Long::sum);
                    first = Math.min(first, ts);
                    last = Math.max(last, ts);
                }
                for (java.util.Iterator<TopicPartition> it = held.iterator(); it.hasNext(); ) {
                    TopicPartition tp = it.next();
                    if (merge.buffered(tp) < LOW_WATER) {
                        consumer.resume(List.of(tp));
                        it.remove();
                    }
                }
                if (System.nanoTime() > nextProgress) {
                    err.printf("record: %,d records written%s%n", written, last == Long.MIN_VALUE ? ""
                            : ", up to " + Instant.ofEpochMilli(last));
                    nextProgress += PROGRESS_EVERY_NANOS;
                }
            }
            out.flush();
            return new Result(written, byTopic, first, last);
        }
    }

    /** Each partition's offset for one side of the range (a time looks {@code slack} beyond it). */
    private static Map<TopicPartition, Long> offsets(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> parts,
                                                     Bound bound, Map<TopicPartition, Long> begin,
                                                     Map<TopicPartition, Long> end, Map<String, String> logicalByFull,
                                                     boolean from, long slack) {
        Map<TopicPartition, Long> out = new HashMap<>();
        if (bound.time() != null) {
            long t = from ? bound.time() - slack : bound.time() + slack;
            Map<TopicPartition, Long> query = new HashMap<>();
            parts.forEach(tp -> query.put(tp, Math.max(0, t)));
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, TIMEOUT);
            for (TopicPartition tp : parts) {
                OffsetAndTimestamp o = found.get(tp);
                out.put(tp, o == null ? end.get(tp) : o.offset());
            }
            return out;
        }
        for (TopicPartition tp : parts) {
            out.put(tp, from ? begin.get(tp) : end.get(tp));
        }
        bound.offsets().forEach((name, offset) -> {
            TopicPartition tp = partition(name, parts, logicalByFull);
            out.put(tp, from ? offset : offset + 1); // --to offset:N includes N
        });
        return out;
    }

    private static TopicPartition partition(String name, List<TopicPartition> parts, Map<String, String> logicalByFull) {
        for (TopicPartition tp : parts) {
            String full = tp.topic() + "-" + tp.partition();
            String logical = logicalByFull.get(tp.topic()) + "-" + tp.partition();
            if (name.equals(full) || name.equals(logical)) {
                return tp;
            }
        }
        throw new IllegalArgumentException("no partition " + name + " among the recorded topics' partitions");
    }

    /**
     * A k-way merge of partitions by record timestamp (then topic, partition, offset): a record is handed out only when
     * every partition still open has one buffered, so no partition can later offer an earlier one.
     */
    static final class Merge {
        private final Map<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> buffers = new LinkedHashMap<>();
        private final Map<TopicPartition, Long> stops = new HashMap<>();
        private final Map<TopicPartition, Boolean> allRead = new HashMap<>();

        void open(TopicPartition tp, long stop) {
            buffers.put(tp, new ArrayDeque<>());
            stops.put(tp, stop);
            allRead.put(tp, false);
        }

        boolean isOpen(TopicPartition tp) {
            return buffers.containsKey(tp) && !allRead.get(tp);
        }

        long stopOf(TopicPartition tp) {
            return stops.get(tp);
        }

        int openCount() {
            return buffers.size();
        }

        void add(ConsumerRecord<byte[], byte[]> r) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            if (buffers.containsKey(tp) && r.offset() < stops.get(tp)) {
                buffers.get(tp).add(r);
            }
        }

        int buffered(TopicPartition tp) {
            ArrayDeque<ConsumerRecord<byte[], byte[]>> b = buffers.get(tp);
            return b == null ? 0 : b.size();
        }

        void allRead(TopicPartition tp) {
            allRead.put(tp, true);
        }

        /** The next record in merged order, or null when an open partition has none buffered yet. */
        ConsumerRecord<byte[], byte[]> next() {
            TopicPartition best = null;
            ConsumerRecord<byte[], byte[]> head = null;
            for (Map.Entry<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> e : buffers.entrySet()) {
                ConsumerRecord<byte[], byte[]> h = e.getValue().peek();
                if (h == null) {
                    if (!allRead.get(e.getKey())) {
                        return null; // it may still offer an earlier record
                    }
                    continue;
                }
                if (head == null || h.timestamp() < head.timestamp()) {
                    best = e.getKey();
                    head = h;
                }
            }
            if (best == null) {
                buffers.keySet().removeIf(tp -> allRead.get(tp) && buffers.get(tp).isEmpty());
                return null;
            }
            buffers.get(best).poll();
            if (allRead.get(best) && buffers.get(best).isEmpty()) {
                buffers.remove(best);
            }
            return head;
        }
    }
}
