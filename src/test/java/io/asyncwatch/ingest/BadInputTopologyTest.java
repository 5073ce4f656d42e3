package io.asyncwatch.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.model.Metric;
import io.asyncwatch.replay.OfflineEngine;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input through the whole topology: every bad record is dead-lettered exactly once with what is needed to
 * find and re-drive it, nothing stops the application, and the good records around the bad ones still count.
 *
 * <p>Valid requests are observed through {@code asyncwatch.metrics}: the retry-storm detector emits one metric per
 * service and closed 1-minute window once stream time passes window end + 30 s grace, and its {@code attempts}
 * is the number of requests that reached the detector in that window.
 */
class BadInputTopologyTest {

    private static final String REQUESTS = "asyncwatch.requests";
    private static final String HEARTBEATS = "asyncwatch.heartbeats";
    private static final String CLOCKS = "asyncwatch.clocks";

    /** A whole minute (1_700_000_040_000 = 28_333_334 min): the window under test is [M, M + 60 s). */
    private static final long M = 1_700_000_040_000L;
    /** Past M's end + 30 s grace: a request at this time closes window M. */
    private static final long CLOSES_M = M + 120_000;
    private static final String SERVICE = "svc-order";

    /** Test-owned JSON writer, so the inputs do not depend on the production mapper's settings. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private OfflineEngine engine;
    private final Map<String, Long> nextOffset = new HashMap<>();

    /** A record piped in, with where it landed. */
    record Sent(String topic, long offset, String key, byte[] value, long timestamp) {
    }

    /** A record that must be dead-lettered, and the words its reason must contain. */
    record Bad(Sent sent, List<String> reasonMentions) {
    }

    @BeforeEach
    void start() {
        engine = new OfflineEngine(AsyncwatchConfig.fromMap(Map.of()));
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    @Test
    void badRecordsAreDeadLetteredOnceAndTheValidOnesAroundThemAreCounted() {
        List<Bad> bad = new ArrayList<>();
        int validInM = 0;
        int retriesInM = 0;
        long t = M;

        send(REQUESTS, SERVICE, json(request("r-1", t += 1000, 1)), t);
        validInM++;
        bad.add(bad(send(REQUESTS, SERVICE, new byte[] {(byte) 0xC3, 0x28, (byte) 0xA0, (byte) 0xFF, 0x00}, t += 1000),
                "not a JSON object"));
        send(REQUESTS, SERVICE, json(request("r-2", t += 1000, 2)), t);
        validInM++;
        retriesInM++;
        bad.add(bad(send(REQUESTS, SERVICE, json(with(request("b-1", t += 1000, 1), "attempt", "2")), t),
                "'attempt'", "wrong type"));
        bad.add(bad(send(REQUESTS, SERVICE, json(with(request("b-2", t += 1000, 1), "service", 42)), t),
                "'service'", "wrong type"));
        bad.add(bad(send(REQUESTS, SERVICE, json(with(request("b-3", t += 1000, 1), "latencyMs", "fast")), t),
                "'latencyMs'", "wrong type"));
        send(REQUESTS, SERVICE, json(request("r-3", t += 1000, 1)), t);
        validInM++;
        bad.add(bad(send(REQUESTS, SERVICE, json(with(request("b-4", t += 1000, 1), "status", "MAYBE")), t),
                "'status'", "MAYBE"));
        bad.add(bad(send(REQUESTS, SERVICE, json(with(request("b-5", t += 1000, 1), "kind", "DELETE")), t),
                "'kind'", "DELETE"));
        bad.add(bad(send(REQUESTS, SERVICE, json(with(request("b-6", t += 1000, 1), "latencyMs", -5.0)), t),
                "'latencyMs'", ">= 0"));
        bad.add(bad(send(REQUESTS, SERVICE, json(with(request("b-7", t += 1000, 1), "timestamp", 0)), t),
                "'timestamp'", "plausible"));
        send(REQUESTS, SERVICE, json(request("r-4", t += 1000, 3)), t);
        validInM++;
        retriesInM++;
        bad.add(bad(send(REQUESTS, SERVICE, json(with(request("b-8", t += 1000, 1), "timestamp", -1)), t),
                "'timestamp'", "plausible"));
        long year3000 = Instant.parse("3000-01-01T00:00:00Z").toEpochMilli();
        bad.add(bad(send(REQUESTS, SERVICE, json(with(request("b-9", t += 1000, 1), "timestamp", year3000)), t),
                "'timestamp'", Long.toString(year3000)));
        bad.add(bad(send(REQUESTS, SERVICE, json(request("b-10", t += 1000, 0)), t), "'attempt'", ">= 1"));
        bad.add(bad(send(REQUESTS, SERVICE, null, t += 1000), "null value"));
        bad.add(bad(send(REQUESTS, null, json(without(request("b-11", t += 1000, 1), "service")), t),
                "missing required field 'service'"));
        bad.add(bad(send(REQUESTS, SERVICE, utf8("[" + new String(json(request("b-12", t += 1000, 1)),
                StandardCharsets.UTF_8) + "]"), t), "not a JSON object"));
        bad.add(bad(send(REQUESTS, SERVICE, new byte[0], t += 1000), "empty"));
        bad.add(bad(send(REQUESTS, SERVICE, utf8(new String(json(request("b-13", t += 1000, 1)),
                StandardCharsets.UTF_8) + " }garbage"), t), "trailing"));
        send(REQUESTS, SERVICE, json(request("r-5", t += 1000, 1)), t);
        validInM++;

        // The other two inputs, interleaved: same rules, same dead-letter topic.
        send(HEARTBEATS, "broker-1", json(heartbeat(t += 1000)), t);
        bad.add(bad(send(HEARTBEATS, "broker-1", json(with(heartbeat(t += 1000), "role", "KING")), t),
                "'role'", "KING"));
        bad.add(bad(send(HEARTBEATS, "broker-1", json(with(heartbeat(t += 1000), "sequence", -1)), t),
                "'sequence'", ">= 0"));
        bad.add(bad(send(HEARTBEATS, "broker-1", json(with(heartbeat(t += 1000), "intervalMs", 0)), t),
                "'intervalMs'", ">= 1"));
        bad.add(bad(send(HEARTBEATS, "broker-1", json(with(heartbeat(t += 1000), "term", "7")), t),
                "'term'", "wrong type"));
        send(CLOCKS, "db-1", json(clock(t += 1000)), t);
        bad.add(bad(send(CLOCKS, "db-1", json(with(clock(t += 1000), "offsetMs", "late")), t),
                "'offsetMs'", "wrong type"));
        bad.add(bad(send(CLOCKS, "db-1", json(with(clock(t += 1000), "timestamp", 0)), t),
                "'timestamp'", "plausible"));
        bad.add(bad(send(CLOCKS, "db-1", new byte[] {(byte) 0xFE, (byte) 0xED}, t += 1000), "not a JSON object"));
        send(REQUESTS, SERVICE, json(request("r-6", t += 1000, 1)), t);
        validInM++;
        assertTrue(t < M + 60_000, "everything above falls into window M");

        send(REQUESTS, SERVICE, json(request("r-next", CLOSES_M, 1)), CLOSES_M);

        assertDeadLettered(bad);
        Metric m = metricOfWindowM();
        assertEquals(validInM, value(m, "attempts"), "only the valid requests of minute M are counted");
        assertEquals(retriesInM, value(m, "retries"));
        assertEquals("service", m.labels().get("layer"));
        assertEquals(M + 60_000, m.windowEnd());
        assertEquals(0, value(m, "clockSuspectEvents"));
        assertEquals(0, value(m, "lateEvents"));
    }

    static Stream<Arguments> requiredFields() {
        return Stream.of(
                Stream.of("eventId", "timestamp", "service", "layer", "attempt", "status", "latencyMs")
                        .map(f -> Arguments.of(REQUESTS, f)),
                Stream.of("node", "cluster", "timestamp", "sequence", "role", "term", "intervalMs")
                        .map(f -> Arguments.of(HEARTBEATS, f)),
                Stream.of("node", "cluster", "timestamp", "offsetMs")
                        .map(f -> Arguments.of(CLOCKS, f)))
                .flatMap(s -> s);
    }

    @ParameterizedTest(name = "{0} without {1}")
    @MethodSource("requiredFields")
    void aMissingRequiredFieldIsDeadLetteredWhetherAbsentOrNull(String topic, String field) {
        long t = M + 1000;
        String key = topic.equals(REQUESTS) ? SERVICE : "node-1";
        send(topic, key, json(valid(topic, "ok-1", t)), t);
        Bad absent = bad(send(topic, key, json(without(valid(topic, "bad-1", t + 1000), field)), t + 1000),
                "missing required field '" + field + "'");
        Bad nulled = bad(send(topic, key, json(with(valid(topic, "bad-2", t + 2000), field, null)), t + 2000),
                "missing required field '" + field + "'");
        send(topic, key, json(valid(topic, "ok-2", t + 3000)), t + 3000);

        assertDeadLettered(List.of(absent, nulled));
        if (topic.equals(REQUESTS)) {
            send(REQUESTS, SERVICE, json(request("r-next", CLOSES_M, 1)), CLOSES_M);
            assertEquals(2, value(metricOfWindowM(), "attempts"), "the two valid requests around the bad ones");
        }
    }

    @Test
    void aSenderClockFarFromTheRecordTimeIsCountedAsSuspectNotDeadLettered() {
        // Payload timestamps 10 minutes off the Kafka record timestamp: the sender's clock is the suspect, so
        // the event is kept, placed by its record timestamp, and counted in clockSuspectEvents.
        send(REQUESTS, SERVICE, json(request("on-time", M + 5_000, 1)), M + 5_000);
        send(REQUESTS, SERVICE, json(request("clock-behind", M + 10_000 - 600_000, 1)), M + 10_000);
        send(REQUESTS, SERVICE, json(request("clock-ahead", M + 15_000 + 600_000, 2)), M + 15_000);
        // 2 s of skew is within tolerance: the payload time is used and the event is not suspect.
        send(REQUESTS, SERVICE, json(request("slightly-off", M + 18_000, 1)), M + 20_000);
        send(REQUESTS, SERVICE, json(request("r-next", CLOSES_M, 1)), CLOSES_M);

        assertDeadLettered(List.of());
        Metric m = metricOfWindowM();
        assertEquals(4, value(m, "attempts"), "the skewed events are counted in the window of their record time");
        assertEquals(1, value(m, "retries"));
        assertEquals(2, value(m, "clockSuspectEvents"));
    }

    // --- assertions ---

    /** Each bad record exactly once, with its coordinates, original bytes and a reason naming the problem. */
    private void assertDeadLettered(List<Bad> expected) {
        engine.silence();
        Map<String, List<DeadLetter>> byOrigin = new HashMap<>();
        Map<String, String> dlqKeys = new HashMap<>();
        List<TestRecord<String, DeadLetter>> records = engine.readDeadLetterRecords();
        for (TestRecord<String, DeadLetter> r : records) {
            DeadLetter d = r.value();
            String origin = d.sourceTopic() + "@" + d.sourceOffset();
            byOrigin.computeIfAbsent(origin, k -> new ArrayList<>()).add(d);
            dlqKeys.put(origin, r.key());
        }
        for (Bad b : expected) {
            Sent s = b.sent();
            String origin = s.topic() + "@" + s.offset();
            List<DeadLetter> letters = byOrigin.getOrDefault(origin, List.of());
            assertEquals(1, letters.size(), () -> origin + " dead-lettered " + letters.size() + " times");
            DeadLetter d = letters.get(0);
            assertEquals(s.topic(), d.sourceTopic());
            assertEquals(Integer.valueOf(0), d.sourcePartition(), origin);
            assertEquals(Long.valueOf(s.offset()), d.sourceOffset(), origin);
            assertEquals(Long.valueOf(s.timestamp()), d.recordTimestamp(), origin);
            assertEquals(s.key(), d.key(), origin);
            assertEquals(s.key(), dlqKeys.get(origin), () -> origin + ": the DLQ record keeps the original key");
            if (s.value() == null) {
                assertNull(d.value(), origin);
            } else {
                assertArrayEquals(s.value(), d.value(), () -> origin + ": original bytes");
            }
            assertEquals(utf8OrNull(s.value()), d.valueText(), origin);
            String logical = s.topic().substring("asyncwatch.".length());
            assertTrue(d.reason().startsWith(logical + ": "), () -> origin + ": " + d.reason());
            for (String mention : b.reasonMentions()) {
                assertTrue(d.reason().contains(mention),
                        () -> origin + ": reason should mention \"" + mention + "\": " + d.reason());
            }
        }
        // Nothing else: no valid record was dead-lettered and no bad one twice.
        assertEquals(expected.size(), records.size(), () -> "dead letters: " + byOrigin);
    }

    private Metric metricOfWindowM() {
        engine.silence();
        List<Metric> ofM = new ArrayList<>();
        for (Metric m : engine.readMetrics()) {
            if (m.metric().equals("retry_multiplier") && SERVICE.equals(m.labels().get("service"))
                    && m.windowStart() == M) {
                ofM.add(m);
            }
        }
        assertEquals(1, ofM.size(), "one metric per closed window and service");
        return ofM.get(0);
    }

    private static long value(Metric m, String name) {
        return Math.round(m.values().get(name));
    }

    // --- input ---

    private Sent send(String topic, String key, byte[] value, long timestamp) {
        long offset = nextOffset.merge(topic, 1L, Long::sum) - 1;
        engine.pipe(topic, key, value, timestamp);
        return new Sent(topic, offset, key, value, timestamp);
    }

    private static Bad bad(Sent sent, String... reasonMentions) {
        return new Bad(sent, List.of(reasonMentions));
    }

    private static Map<String, Object> valid(String topic, String id, long timestamp) {
        return switch (topic) {
            case REQUESTS -> request(id, timestamp, 1);
            case HEARTBEATS -> with(heartbeat(timestamp), "eventId", id);
            case CLOCKS -> with(clock(timestamp), "eventId", id);
            default -> throw new IllegalArgumentException(topic);
        };
    }

    private static Map<String, Object> request(String id, long timestamp, int attempt) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("eventId", id);
        m.put("timestamp", timestamp);
        m.put("service", SERVICE);
        m.put("layer", "service");
        m.put("node", "pod-1");
        m.put("destination", "svc-payment");
        m.put("attempt", attempt);
        m.put("requestId", "intent-" + id);
        m.put("status", attempt > 1 ? "SUCCESS" : "TIMEOUT");
        m.put("latencyMs", 12.5);
        m.put("timeoutMs", 1000);
        return m;
    }

    private static Map<String, Object> heartbeat(long timestamp) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", "broker-1");
        m.put("cluster", "kafka-eu");
        m.put("timestamp", timestamp);
        m.put("sequence", 41);
        m.put("role", "FOLLOWER");
        m.put("term", 7);
        m.put("intervalMs", 500);
        return m;
    }

    private static Map<String, Object> clock(long timestamp) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", "db-1");
        m.put("cluster", "pg");
        m.put("timestamp", timestamp);
        m.put("offsetMs", -12.5);
        m.put("syncOk", true);
        return m;
    }

    private static Map<String, Object> with(Map<String, Object> event, String field, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(event);
        m.put(field, value);
        return m;
    }

    private static Map<String, Object> without(Map<String, Object> event, String field) {
        Map<String, Object> m = new LinkedHashMap<>(event);
        if (m.remove(field) == null) {
            fail("test event has no field " + field);
        }
        return m;
    }

    private static byte[] json(Map<String, Object> event) {
        try {
            return JSON.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** What the dead letter's valueText must be: the payload as text if it is UTF-8, else nothing. */
    private static String utf8OrNull(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(value)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }
}
