package io.asyncwatch.detect.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.asyncwatch.ingest.Accepted;
import io.asyncwatch.model.Kind;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.Status;
import io.asyncwatch.testing.Requests;
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
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * The batching stage on Kafka's own processor context: one input record here stands for several events of one
 * input task, processed before its commit (the test driver commits after each input record), so what leaves at that
 * commit is what the flush hook sent.
 */
class SpanBatcherTopologyTest {

    private static final long T0 = Requests.T0;

    /** "t1/a@10 t2/b@15 tick@20 untraced@25": spans (trace/span at T0 + ms), ticks and untraced requests. */
    private static final class Events implements Processor<String, String, String, Accepted<RequestEvent>> {
        private ProcessorContext<String, Accepted<RequestEvent>> context;

        @Override
        public void init(ProcessorContext<String, Accepted<RequestEvent>> context) {
            this.context = context;
        }

        @Override
        public void process(Record<String, String> record) {
            for (String item : record.value().split(" ")) {
                String[] at = item.split("@");
                long time = T0 + Long.parseLong(at[1]);
                Accepted<RequestEvent> a;
                if (at[0].equals("tick")) {
                    a = Accepted.tick("requests:0", time);
                } else if (at[0].equals("untraced")) {
                    a = new Accepted<>(request(null, null, time), time, null, null, null, time);
                } else {
                    String[] ids = at[0].split("/");
                    a = new Accepted<>(request(ids[0], ids[1], time), time, null, null, null, time);
                }
                context.forward(new Record<>("svc-order", a, time));
            }
        }

        /** Stamped by its sender 40 ms before its event time, which the batch must not carry instead. */
        private static RequestEvent request(String trace, String span, long time) {
            return new RequestEvent("e-" + span, time - 40, "svc-order", "service", "svc-order-0", "db-orders",
                    "call", 1, null, Status.SUCCESS, 12.5, 1000L, trace, span, null, null, Kind.CALL, null, null, null,
                    null);
        }
    }

    private static TopologyTestDriver driver() {
        StreamsBuilder b = new StreamsBuilder();
        KStream<String, SpanBatch> batches = b.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
                .process(Events::new, Named.as("events"))
                .process(new SpanBatcher.Supplier(), Named.as("spans-batch"));
        batches.to("batches", Produced.with(Serdes.String(), SpanBatch.SERDE));
        batches.process(SpanUnbatcher::new, Named.as("unbatch")).to("spans", Produced.with(Serdes.String(),
                Span.SERDE));
        return new TopologyTestDriver(b.build(), new Properties(), Instant.ofEpochMilli(T0));
    }

    private static final class Topics {
        final TestInputTopic<String, String> in;
        final TestOutputTopic<String, SpanBatch> batches;
        final TestOutputTopic<String, Span> spans;

        Topics(TopologyTestDriver d) {
            in = d.createInputTopic("in", new StringSerializer(), new StringSerializer());
            batches = d.createOutputTopic("batches", new StringDeserializer(), SpanBatch.SERDE.deserializer());
            spans = d.createOutputTopic("spans", new StringDeserializer(), Span.SERDE.deserializer());
        }
    }

    private static String describe(SpanBatch b) {
        return b.isTick() ? "tick@" + (b.tick() - T0)
                : b.traceId() + ":" + String.join(",", b.spans().stream().map(Span::spanId).toList());
    }

    private static String describe(TestRecord<String, Span> r) {
        Span s = r.value();
        return s.isTick() ? "tick@" + (s.tick() - T0)
                : s.traceId() + "/" + s.spanId() + "@" + (r.timestamp() - T0) + "=" + (s.timestamp() - T0);
    }

    @Test
    void whatATaskGatheredLeavesAtItsCommitOneRecordPerTraceAndComesBackOneRecordPerSpanAtItsEventTime() {
        try (TopologyTestDriver d = driver()) {
            Topics t = new Topics(d);
            t.in.pipeInput("x", "t1/a@10 t2/b@15 untraced@17 t1/c@20");
            List<TestRecord<String, SpanBatch>> sent = t.batches.readRecordsToList();
            assertEquals(List.of("t1:a,c", "t2:b"), sent.stream().map(r -> describe(r.value())).toList());
            assertEquals(List.of("t1", "t2"), sent.stream().map(TestRecord::key).toList(), "keyed by trace");
            assertEquals(List.of(T0 + 20, T0 + 15), sent.stream().map(TestRecord::timestamp).toList(),
                    "a batch at its last span's event time");
            assertEquals(List.of("t1/a@10=10", "t1/c@20=20", "t2/b@15=15"),
                    t.spans.readRecordsToList().stream().map(SpanBatcherTopologyTest::describe).toList(),
                    "each span a record at its own event time, not its sender's stamp");

            t.in.pipeInput("x", "t1/d@30");
            assertEquals(List.of("t1:d"), t.batches.readValuesToList().stream().map(SpanBatcherTopologyTest::describe)
                    .toList(), "nothing is sent twice: the next commit sends only what came since");
        }
    }

    @Test
    void aTickGoesOutBehindEverySpanGatheredBeforeIt() {
        try (TopologyTestDriver d = driver()) {
            Topics t = new Topics(d);
            t.in.pipeInput("x", "t1/a@10 t2/b@15 tick@20 t1/c@30");
            assertEquals(List.of("t1:a", "t2:b", "tick@20", "t1:c"),
                    t.batches.readValuesToList().stream().map(SpanBatcherTopologyTest::describe).toList());
            assertEquals(List.of("t1/a@10=10", "t2/b@15=15", "tick@20", "t1/c@30=30"),
                    t.spans.readRecordsToList().stream().map(SpanBatcherTopologyTest::describe).toList());
        }
    }
}
