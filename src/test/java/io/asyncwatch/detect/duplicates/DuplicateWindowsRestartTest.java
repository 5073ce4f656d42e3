package io.asyncwatch.detect.duplicates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.state.StoreMode;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.time.Watermarks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.junit.jupiter.api.Test;

/**
 * The crash-suite failure, replayed on one windows task (partition 5 of {@code duplicate-operation-intents-by-service}
 * as read back from the broker): six request-id tasks feed it; before the kill it got the duplicates of tasks 1, 3, 5
 * and no clock tick (no request-id clock had moved yet); after the restart tasks 1, 3, 5 (one stream thread) ticked
 * for longer than the warm-up while 0, 2, 4 (the other thread) were still restoring. Their 12 duplicates then came
 * late: db-orders had 1, 2, 3, 2 duplicates in 00:40..00:43 instead of 5 each.
 */
class DuplicateWindowsRestartTest {

    private static final long T0 = 1_767_225_600_000L;
    private static final long M = 60_000;
    private static final long END = T0 + 75 * M - 300;

    /** Restart = a new processor on the store as the changelog restores it. */
    private record Restoring(DuplicateWindowsProcessor.Supplier inner, List<KeyValue<Bytes, byte[]>> restore)
            implements ProcessorSupplier<String, DuplicateIntent, String, DuplicateWindowsProcessor.Closed> {
        @Override
        public Processor<String, DuplicateIntent, String, DuplicateWindowsProcessor.Closed> get() {
            Processor<String, DuplicateIntent, String, DuplicateWindowsProcessor.Closed> p = inner.get();
            return new Processor<>() {
                @Override
                public void init(ProcessorContext<String, DuplicateWindowsProcessor.Closed> context) {
                    KeyValueStore<Bytes, byte[]> s = context.getStateStore(DuplicateWindowsProcessor.STORE);
                    restore.forEach(kv -> s.put(kv.key, kv.value));
                    p.init(context);
                }

                @Override
                public void process(Record<String, DuplicateIntent> record) {
                    p.process(record);
                }
            };
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return inner.stores();
        }
    }

    private final AsyncwatchConfig config = AsyncwatchConfig.fromMap(Map.of()).withInMemoryStores(true);
    /** window start -> duplicates, of db-orders's published windows. */
    private final Map<Long, Long> published = new TreeMap<>();
    private long late;

    private TopologyTestDriver driver(List<KeyValue<Bytes, byte[]>> restore) {
        DuplicateSettings s = config.settings(DuplicateSettings.SPEC);
        StreamsBuilder b = new StreamsBuilder();
        b.stream("intents", Consumed.with(Serdes.String(), DuplicateIntent.SERDE))
                .process(new Restoring(new DuplicateWindowsProcessor.Supplier(s, config.eventTime().graceMs(),
                        s.maxServices(), StoreMode.IN_MEMORY), restore), Named.as("windows"))
                .filter((k, c) -> !c.isTick())
                .mapValues(c -> c.window().start + "," + c.window().count + "," + c.window().late)
                .to("closed", Produced.with(Serdes.String(), Serdes.String()));
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "restart-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "offline:9092");
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        return new TopologyTestDriver(b.build(), p, Instant.ofEpochMilli(1_000_000));
    }

    private static DuplicateIntent dup(int task, String rid, long time) {
        return new DuplicateIntent("db-orders", "database", rid, "Order[" + rid + "]", List.of("a", "b"), null, time,
                "duplicate-operation-intents:" + task);
    }

    private static void tick(TestInputTopic<String, DuplicateIntent> in, int task, long time) {
        in.pipeInput("", DuplicateIntent.tick("duplicate-operation-intents:" + task, time), Math.max(0, time));
    }

    private void drain(TestOutputTopic<String, String> out) {
        for (String v : out.readValuesToList()) {
            String[] f = v.split(",");
            published.merge(Long.parseLong(f[0]), Long.parseLong(f[1]), Long::sum);
            late += Long.parseLong(f[2]);
        }
    }

    /** Five duplicates a minute in 00:40..00:43; tasks 1, 3, 5 found 1, 2, 3, 2 of them, tasks 0, 2, 4 the rest. */
    private static List<DuplicateIntent> duplicates(boolean ofOddTasks) {
        int[] odd = {1, 2, 3, 2};
        List<DuplicateIntent> out = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            for (int i = 0; i < 5; i++) {
                boolean isOdd = i < odd[w];
                if (isOdd == ofOddTasks) {
                    int task = (isOdd ? 1 : 0) + 2 * (i % 3);
                    out.add(dup(task, "r-" + w + "-" + i, T0 + (40 + w) * M + 1_000 + i * 7_000));
                }
            }
        }
        return out;
    }

    /** The first run (the request-id tasks announce themselves before their clocks start), a kill, the restart. */
    private void run() {
        List<KeyValue<Bytes, byte[]>> snapshot = new ArrayList<>();
        try (TopologyTestDriver d = driver(List.of())) {
            TestInputTopic<String, DuplicateIntent> in = d.createInputTopic("intents", Serdes.String().serializer(),
                    DuplicateIntent.SERDE.serializer());
            TestOutputTopic<String, String> out = d.createOutputTopic("closed", Serdes.String().deserializer(),
                    Serdes.String().deserializer());
            for (int second = 0; second < 5; second++) {
                for (int task = 0; task < 6; task++) {
                    tick(in, task, Watermarks.NONE);
                }
                d.advanceWallClockTime(Duration.ofSeconds(1));
            }
            duplicates(true).forEach(x -> in.pipeInput(x.service(), x, x.time()));
            drain(out);
            // SIGKILL: what was committed is what the changelog restores.
            KeyValueStore<Bytes, byte[]> s = d.getKeyValueStore(DuplicateWindowsProcessor.STORE);
            try (KeyValueIterator<Bytes, byte[]> it = s.all()) {
                it.forEachRemaining(snapshot::add);
            }
        }
        try (TopologyTestDriver d = driver(snapshot)) {
            TestInputTopic<String, DuplicateIntent> in = d.createInputTopic("intents", Serdes.String().serializer(),
                    DuplicateIntent.SERDE.serializer());
            TestOutputTopic<String, String> out = d.createOutputTopic("closed", Serdes.String().deserializer(),
                    Serdes.String().deserializer());
            // Tasks 1, 3, 5 are running again; 0, 2, 4 are still restoring on the other thread.
            for (int second = 0; second < 5; second++) {
                for (int task = 1; task < 6; task += 2) {
                    tick(in, task, END + second);
                }
                d.advanceWallClockTime(Duration.ofSeconds(1));
            }
            drain(out);
            duplicates(false).forEach(x -> in.pipeInput(x.service(), x, x.time()));
            for (int second = 0; second < 5; second++) {
                for (int task = 0; task < 6; task++) {
                    tick(in, task, END + 2 * M + second);
                }
                d.advanceWallClockTime(Duration.ofSeconds(1));
            }
            drain(out);
        }
    }

    @Test
    void aRestartDoesNotCloseWindowsBeforeEveryRequestIdTaskHasTicked() {
        run();
        Map<Long, Long> expected = new TreeMap<>();
        for (int w = 0; w < 4; w++) {
            expected.put(T0 + (40 + w) * M, 5L);
        }
        assertEquals(expected, published, "duplicates per window of db-orders (uninterrupted run: 5 each)");
        assertEquals(0, late);
    }

    @Test
    void aRequestIdTaskAnnouncesItselfBeforeItsClockStarts() {
        DuplicateSettings s = config.settings(DuplicateSettings.SPEC);
        StreamsBuilder b = new StreamsBuilder();
        b.stream("writes", Consumed.with(Serdes.String(), WriteAttempt.SERDE))
                .process(new DuplicateIntentsProcessor.Supplier(s, StoreMode.IN_MEMORY), Named.as("intents"))
                .to("out", Produced.with(Serdes.String(), DuplicateIntent.SERDE));
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "announce-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "offline:9092");
        try (TopologyTestDriver d = new TopologyTestDriver(b.build(), p, Instant.ofEpochMilli(1_000_000))) {
            TestOutputTopic<String, DuplicateIntent> out = d.createOutputTopic("out", Serdes.String().deserializer(),
                    DuplicateIntent.SERDE.deserializer());
            d.advanceWallClockTime(Duration.ofSeconds(1));
            List<DuplicateIntent> ticks = out.readValuesToList();
            assertTrue(!ticks.isEmpty() && ticks.get(0).isTick() && ticks.get(0).time() == Watermarks.NONE,
                    "a tick with time NONE: " + ticks);
        }
    }
}
