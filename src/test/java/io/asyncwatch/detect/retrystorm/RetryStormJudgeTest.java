package io.asyncwatch.detect.retrystorm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.asyncwatch.state.StoreMode;
import io.asyncwatch.time.Watermarks;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

/**
 * The judge fed by two input partitions' counts, one far behind the other (a catch-up, or requests not keyed by
 * service): a window is judged once the slower partition's tick has passed it, with both partitions' counts.
 */
class RetryStormJudgeTest {

    private static final Instant WALL = Instant.parse("2026-01-05T09:00:00Z");
    private static final long T0 = 1_699_999_200_000L;
    private static final long M = 60_000;

    private static RetryDelta counts(long windowStart, long attempts, long retries) {
        return new RetryDelta("svc-a", "service", windowStart, attempts, retries, retries, 0, 0, 0, List.of(),
                windowStart + M - 1);
    }

    @Test
    void aWindowWaitsForTheSlowestInputPartitionsCounts() {
        StreamsBuilder b = new StreamsBuilder();
        b.stream("in", Consumed.with(Serdes.String(), RetryDelta.SERDE))
                .process(new RetryStormProcessor.Supplier(RetryStormSettings.DEFAULTS, 31_000, StoreMode.REPLAY),
                        Named.as("judge"))
                .filter((k, o) -> o.window() != null)
                .mapValues(o -> o.window().windowStart() + " " + o.window().attempts() + "/" + o.window().lateEvents())
                .to("out", Produced.with(Serdes.String(), Serdes.String()));
        Properties props = new Properties();
        props.put(Watermarks.EXPECTED_SOURCES, "2");
        try (TopologyTestDriver driver = new TopologyTestDriver(b.build(), props, WALL)) {
            TestInputTopic<String, RetryDelta> in = driver.createInputTopic("in", new StringSerializer(),
                    RetryDelta.SERDE.serializer());
            TestOutputTopic<String, String> out = driver.createOutputTopic("out", new StringDeserializer(),
                    new StringDeserializer());
            // Partition 0 is five minutes ahead: its counts of minutes 0-4, then its tick.
            for (int m = 0; m < 5; m++) {
                in.pipeInput("svc-a", counts(T0 + m * M, 100, 1), T0 + (m + 1) * M - 1);
            }
            in.pipeInput("", RetryDelta.tick("requests:0", T0 + 5 * M), T0 + 5 * M);
            assertEquals(List.of(), out.readValuesToList(), "partition 1 has not ticked: nothing is judged");
            // Partition 1 catches up: its counts of minute 0, then its tick past minute 0's close.
            in.pipeInput("svc-a", counts(T0, 40, 0), T0 + M - 1);
            in.pipeInput("", RetryDelta.tick("requests:1", T0 + M + 31_000), T0 + M + 31_000);
            assertEquals(List.of(T0 + " 140/0"), out.readValuesToList(),
                    "minute 0 with both partitions' attempts, none late; minute 1 waits for partition 1");
            long pastMinute4 = T0 + 5 * M + 31_000;
            in.pipeInput("", RetryDelta.tick("requests:1", pastMinute4), pastMinute4);
            assertEquals(List.of((T0 + M) + " 100/0", (T0 + 2 * M) + " 100/0", (T0 + 3 * M) + " 100/0"),
                    out.readValuesToList(), "partition 0 is now the slower one, at minute 4's end: minutes 1-3");
            in.pipeInput("", RetryDelta.tick("requests:0", pastMinute4), pastMinute4);
            assertEquals(List.of((T0 + 4 * M) + " 100/0"), out.readValuesToList());
        }
    }
}
