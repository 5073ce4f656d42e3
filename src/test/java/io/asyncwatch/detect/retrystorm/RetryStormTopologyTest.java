package io.asyncwatch.detect.retrystorm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.alert.Finding;
import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.RetryWindowMetric;
import io.asyncwatch.model.Severity;
import io.asyncwatch.serde.JsonCodec;
import io.asyncwatch.testing.Drivers;
import io.asyncwatch.testing.Requests;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The retry-storm detector alone: requests in, findings, metrics and late events out. */
class RetryStormTopologyTest {

    private static final long T0 = Requests.T0;
    private static final long M = Requests.MINUTE;

    private final Requests requests = new Requests();
    private TopologyTestDriver driver;
    private TestInputTopic<String, RequestEvent> in;
    private TestOutputTopic<String, Finding> findings;
    private TestOutputTopic<String, RetryWindowMetric> metrics;
    private TestOutputTopic<String, DeadLetter> late;

    @BeforeEach
    void setUp() {
        StreamsBuilder b = new StreamsBuilder();
        var requestSerde = new JsonCodec<>(RequestEvent.class).serde();
        RetryStorm.Outputs out = RetryStorm.wire(b.stream("requests", Consumed.with(Serdes.String(), requestSerde)),
                RetryStormSettings.DEFAULTS, 30_000, 3, true, "requests");
        out.findings().to("findings", Produced.with(Serdes.String(), new JsonCodec<>(Finding.class).serde()));
        out.metrics().to("metrics", Produced.with(Serdes.String(), new JsonCodec<>(RetryWindowMetric.class).serde()));
        out.lateEvents().to("late", Produced.with(Serdes.String(), new JsonCodec<>(DeadLetter.class).serde()));
        driver = new TopologyTestDriver(b.build(), Drivers.props());
        in = driver.createInputTopic("requests", Serdes.String().serializer(), requestSerde.serializer());
        findings = driver.createOutputTopic("findings", Serdes.String().deserializer(),
                new JsonCodec<>(Finding.class).serde().deserializer());
        metrics = driver.createOutputTopic("metrics", Serdes.String().deserializer(),
                new JsonCodec<>(RetryWindowMetric.class).serde().deserializer());
        late = driver.createOutputTopic("late", Serdes.String().deserializer(),
                new JsonCodec<>(DeadLetter.class).serde().deserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private void send(List<RequestEvent> events) {
        events.forEach(e -> in.pipeInput(e.service(), e, e.timestamp()));
    }

    @Test
    void stormWindowBecomesAFindingWithItsNumbers() {
        for (int m = 0; m < 10; m++) {
            send(requests.minute("svc-a", "service", T0 + m * M, 100, 2));
        }
        send(requests.minute("svc-a", "service", T0 + 10 * M, 100, 40));
        send(requests.minute("svc-a", "service", T0 + 11 * M, 100, 2));
        List<Finding> out = findings.readValuesToList();
        assertEquals(1, out.size(), "minute 10 has closed (stream time 11:59 > 11:30), minute 11 has not");
        Finding f = out.get(0);
        assertEquals("RETRY_STORM{service=\"svc-a\"}", f.fingerprint());
        assertEquals(Severity.PAGE, f.severity());
        assertEquals(20.0, f.value(), 1e-9);
        assertEquals(T0 + 10 * M, f.windowStart());
        assertTrue(f.summary().contains("svc-a") && f.summary().contains("40.0% of 100 attempts"), f.summary());
        List<RetryWindowMetric> series = metrics.readValuesToList();
        assertEquals(11, series.size(), "one metric per closed window");
        assertEquals("NO_BASELINE", series.get(0).verdict());
        assertEquals("STORM", series.get(10).verdict());
    }

    @Test
    void aQuietServiceGoingSilentStillResolvesThroughStreamTimeOfOthers() {
        for (int m = 0; m < 10; m++) {
            send(requests.minute("svc-a", "service", T0 + m * M, 100, 2));
        }
        send(requests.minute("svc-a", "service", T0 + 10 * M, 100, 50));
        // svc-a stops; svc-b keeps stream time moving for five minutes.
        for (int m = 11; m < 16; m++) {
            send(requests.minute("svc-b", "service", T0 + m * M, 30, 0));
        }
        List<Finding> a = findings.readValuesToList().stream().filter(f -> f.subject().get("service").equals("svc-a"))
                .toList();
        assertEquals(4, a.size(), "the storm window and three calm windows to resolve it");
        assertTrue(a.get(0).severity() != null);
        assertTrue(a.subList(1, 4).stream().allMatch(Finding::isClear));
    }

    @Test
    void eventsBeyondGraceAreReportedNotDropped() {
        send(requests.minute("svc-a", "service", T0, 50, 1));
        send(requests.minute("svc-a", "service", T0 + 2 * M, 50, 1));
        RequestEvent tooLate = requests.attempt("svc-a", "service", T0 + 30_000, 2);
        in.pipeInput("svc-a", tooLate, tooLate.timestamp());
        send(requests.minute("svc-a", "service", T0 + 3 * M, 50, 1));
        List<DeadLetter> dead = late.readValuesToList();
        assertEquals(1, dead.size());
        assertTrue(dead.get(0).reason().contains("late event beyond the 30000 ms grace period"), dead.get(0).reason());
        assertTrue(dead.get(0).valueText().contains(tooLate.eventId()));
        assertEquals(Instant.ofEpochMilli(tooLate.timestamp()).toEpochMilli(), dead.get(0).recordTimestamp());
        List<RetryWindowMetric> series = metrics.readValuesToList();
        assertEquals(50, series.get(0).attempts(), "minute 0 does not change after it closed");
        assertEquals(1, series.stream().mapToLong(RetryWindowMetric::lateEvents).sum(), "the late event is counted");
    }
}
