package io.asyncwatch.detect.duplicates;

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
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

/**
 * crash-suite (kills, seed 1): the request-id tasks 1, 2, 3, 5 ended their 3 s wall-clock warm-up knowing only
 * ingest partitions requests:1 and requests:2 (the tasks of requests:4 and requests:5 started on the other stream
 * thread a few seconds later: first ticks at 00:48:22 and 00:05:23). Their clocks ran to 00:57:32 on those two alone
 * and were sent as ticks to the windows stage; requests:5's writes of 00:42-00:43 then made duplicates behind the
 * tick already sent. After the restart the windows stage's clock (held only by tasks 0 and 4, which had learnt
 * requests:5) passed 00:54 before task 3 got to them: 4 duplicates late, counted in 00:54-00:55.
 *
 * <p>The invariant a request-id task owes the windows stage: no duplicate older than a tick it has sent. It holds
 * because the runner tells the task how many input partitions to wait for (here 3), instead of a warm-up guessing.
 */
class DuplicateIntentsLateSourceTest {

    private static final long T0 = 1_767_225_600_000L;
    private static final long M = 60_000;

    private final AsyncwatchConfig config = AsyncwatchConfig.fromMap(Map.of()).withInMemoryStores(true);

    private static WriteAttempt write(String rid, String service, String eventId) {
        return new WriteAttempt(rid, service, "database", eventId, true, 1, "Order[1]", 0L);
    }

    @Test
    void noDuplicateBehindATickAlreadySent() {
        StreamsBuilder b = new StreamsBuilder();
        b.stream("writes", Consumed.with(Serdes.String(), WriteAttempt.SERDE))
                .process(new DuplicateIntentsProcessor.Supplier(config.settings(DuplicateSettings.SPEC),
                        StoreMode.IN_MEMORY),
                        Named.as("intents"))
                .mapValues(d -> (d.isTick() ? "T," : "D,") + d.time())
                .to("out", Produced.with(Serdes.String(), Serdes.String()));
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "late-source-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "offline:9092");
        p.put(Watermarks.EXPECTED_SOURCES, "3");
        try (TopologyTestDriver d = new TopologyTestDriver(b.build(), p, Instant.ofEpochMilli(1_000_000))) {
            TestInputTopic<String, WriteAttempt> in = d.createInputTopic("writes", Serdes.String().serializer(),
                    WriteAttempt.SERDE.serializer());
            TestOutputTopic<String, String> out = d.createOutputTopic("out", Serdes.String().deserializer(),
                    Serdes.String().deserializer());
            // One stream thread's ingest tasks tick for 4 s (requests:1 and :2 catching up a backlog)...
            for (int s = 0; s < 4; s++) {
                in.pipeInput("", WriteAttempt.tick("requests:1", T0 + s * 20 * M), T0 + s * 20 * M);
                in.pipeInput("", WriteAttempt.tick("requests:2", T0 + s * 19 * M), T0 + s * 19 * M);
                d.advanceWallClockTime(Duration.ofSeconds(1));
            }
            // ...then the other thread's task of requests:5 starts, far behind, with a duplicate at 00:42:44.
            in.pipeInput("", WriteAttempt.tick("requests:5", T0 + 5 * M), T0 + 5 * M);
            long dup = T0 + 42 * M + 44_000;
            in.pipeInput("svc-payment-write-7234", write("svc-payment-write-7234", "db-orders", "e1"), dup - 1_300);
            in.pipeInput("svc-payment-write-7234", write("svc-payment-write-7234", "db-orders", "e2"), dup);
            d.advanceWallClockTime(Duration.ofSeconds(1));

            long maxTick = Long.MIN_VALUE;
            List<String> broken = new ArrayList<>();
            for (String v : out.readValuesToList()) {
                long t = Long.parseLong(v.substring(2));
                if (v.startsWith("T,")) {
                    maxTick = Math.max(maxTick, t);
                } else if (t < maxTick) {
                    broken.add("duplicate at " + Instant.ofEpochMilli(t) + " after a tick at "
                            + Instant.ofEpochMilli(maxTick));
                }
            }
            assertTrue(broken.isEmpty(), String.join("; ", broken));
        }
    }
}
