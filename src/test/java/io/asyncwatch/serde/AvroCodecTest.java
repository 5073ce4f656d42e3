package io.asyncwatch.serde;

import static io.asyncwatch.serde.JsonCodecTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.CircuitBreaker;
import io.asyncwatch.model.ClockEvent;
import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.model.HeartbeatEvent;
import io.asyncwatch.model.Kind;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.StandupSummary;
import io.asyncwatch.model.Role;
import io.asyncwatch.model.Severity;
import io.asyncwatch.model.Status;
import io.asyncwatch.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both wire formats carry every record type without loss, and the Avro bytes are what any Confluent-style
 * consumer or producer writes: magic byte, big-endian schema id, plain Avro binary of the project's .avsc.
 */
class AvroCodecTest {

    private static final long T = 1_700_000_000_000L;

    // Distinct ids, some with several non-zero bytes, so that a little-endian or truncated header cannot pass.
    private static final int REQUEST_ID = 0x0A0B0C0D;
    private static final int HEARTBEAT_ID = 0x00000102;
    private static final int CLOCK_ID = 3;
    private static final int ALERT_ID = 0x00010001;
    private static final int DEAD_LETTER_ID = 0x7F000000;
    private static final int METRIC_ID = 0x00FF00FF;
    private static final int STANDUP_ID = 0x01020304;

    /** Avro in and out, with every schema id set in the configuration, as an operator would. */
    private static final AsyncwatchConfig AVRO = AsyncwatchConfig.fromMap(Map.of(
            "asyncwatch.input.format", "avro",
            "asyncwatch.output.format", "avro",
            "asyncwatch.avro.schema-id.request", Integer.toString(REQUEST_ID),
            "asyncwatch.avro.schema-id.heartbeat", Integer.toString(HEARTBEAT_ID),
            "asyncwatch.avro.schema-id.clock", Integer.toString(CLOCK_ID),
            "asyncwatch.avro.schema-id.alert", Integer.toString(ALERT_ID),
            "asyncwatch.avro.schema-id.dead-letter", Integer.toString(DEAD_LETTER_ID),
            "asyncwatch.avro.schema-id.metric", Integer.toString(METRIC_ID),
            "asyncwatch.avro.schema-id.standup", Integer.toString(STANDUP_ID)));
    private static final Topics TOPICS = Topics.from(AVRO);

    static final RequestEvent FULL_REQUEST = new RequestEvent("e-42", T, "svc-order", "api-gateway", "pod-7",
            "svc-payment", "POST /orders", 3, "intent-9", Status.TIMEOUT, 1500.25, 1500L, "tr-1", "sp-2", "sp-1",
            List.of("e-40", "hb-3"), Kind.WRITE, "Order[1337]", 17L, Map.of("pod-7", 17L, "pod-8", 4L),
            CircuitBreaker.HALF_OPEN);
    static final RequestEvent MINIMAL_REQUEST = new RequestEvent("e-1", T, "svc-order", "service", null, null, null,
            1, null, Status.SUCCESS, 0.0, null, null, null, null, null, null, null, null, null, null);
    static final HeartbeatEvent HEARTBEAT = new HeartbeatEvent(null, "broker-2", "kafka-eu", T, 41L, Role.LEADER, 7L,
            500L);
    static final ClockEvent CLOCK = new ClockEvent("c-1", "db-1", "pg", T, -231.5, 12.25, false, 99L,
            Map.of("db-1", 99L, "db-2", 98L));
    static final Alert ALERT = new Alert("a-1", "RETRY_STORM|service=svc-order", AlertType.RETRY_STORM, Severity.PAGE,
            AlertStatus.FIRING, Map.of("service", "svc-order", "layer", "service"), "Retry storm on svc-order: 6.0x",
            6.0, 5.0, T, T + 60_000, List.of("window ...: 120 retries / 200 attempts", "e-7"),
            List.of("Check the callee", "Shed load"));
    /** Non-UTF-8 bytes: exactly what a dead letter must preserve untouched. */
    static final DeadLetter DEAD_LETTER = new DeadLetter("asyncwatch.requests", 4, 123_456_789_012L, T, "svc-order",
            new byte[] {(byte) 0xC3, 0x28, 0x00, (byte) 0xFF, '{'}, null, "requests: not a JSON object");
    static final DeadLetter TOMBSTONE_LETTER = new DeadLetter("asyncwatch.heartbeats", null, null, null, null, null,
            null, "heartbeats: null value (tombstone): an event is required");
    static final Metric STORM_METRIC = new Metric("retry_multiplier", Map.of("service", "svc-order", "layer",
            "service"), T, T + 60_000, Map.of("attempts", 200.0, "retries", 120.0, "multiplier", 6.0, "pValue", 1e-40),
            Map.of("verdict", "STORM", "severity", "PAGE"));
    static final Metric CALM_METRIC = new Metric("duplicate_operations", Map.of(), T, T + 60_000, Map.of(),
            Map.of());
    static final StandupSummary STANDUP = new StandupSummary(StandupSummary.StandupKind.DAILY, T - 86_400_000L, T,
            StandupSummary.StandupStatus.CRITICAL,
            new StandupSummary.ClockSkewAnswer(StandupSummary.StandupStatus.WARNING, 47.0, "users-2", 187.0,
                    "users-2", "users-cluster", StandupSummary.SkewTrend.WORSENING, 6),
            new StandupSummary.RetryLoopsAnswer(StandupSummary.StandupStatus.CRITICAL, 1_247, 1_180, 0.9463, 40,
                    90_000, 2, List.of("svc-order", "api-gateway")),
            new StandupSummary.ConcurrentWritesAnswer(StandupSummary.StandupStatus.CRITICAL, 17, 15, 2,
                    List.of("User[42] (9)", "Order[1337] (6)"), "Manual needed"),
            new StandupSummary.CausalityAnswer(StandupSummary.StandupStatus.WARNING, 3, List.of("svc-payment-3 (3)")),
            new StandupSummary.AlertsAnswer(4, Map.of("PAGE", 1, "ALERT", 3), Map.of("RETRY_STORM", 2,
                    "CONCURRENT_WRITE", 1, "CLOCK_SKEW", 1), List.of("PAGE RETRY_STORM{service=\"svc-order\"}")),
            2, 3, "If any box shows ⚠ or 🚨, fix it TODAY: clock skew, timeout-retry loops.");
    /** No data at all: the optional fields null, the lists and maps empty. */
    static final StandupSummary EMPTY_STANDUP = new StandupSummary(StandupSummary.StandupKind.ROLLING, T, T + 1,
            StandupSummary.StandupStatus.NO_DATA,
            new StandupSummary.ClockSkewAnswer(StandupSummary.StandupStatus.NO_DATA, null, null, null, null, null,
                    StandupSummary.SkewTrend.UNKNOWN, 0),
            new StandupSummary.RetryLoopsAnswer(StandupSummary.StandupStatus.NO_DATA, 0, 0, null, 0, 0, 0, List.of()),
            new StandupSummary.ConcurrentWritesAnswer(StandupSummary.StandupStatus.NO_DATA, 0, 0, 0, List.of(), null),
            new StandupSummary.CausalityAnswer(StandupSummary.StandupStatus.NO_DATA, 0, List.of()),
            new StandupSummary.AlertsAnswer(0, Map.of(), Map.of(), List.of()), 0, 0, "nothing");

    /** One record type in one shape, with the codecs the application would use for it. */
    record Case(String name, Object value, String schema, int schemaId, Codec<Object> avro, Codec<Object> json) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                input("RequestEvent (fully populated)", FULL_REQUEST, "request", REQUEST_ID, Topics::requestCodec),
                input("RequestEvent (minimal)", MINIMAL_REQUEST, "request", REQUEST_ID, Topics::requestCodec),
                input("HeartbeatEvent", HEARTBEAT, "heartbeat", HEARTBEAT_ID, Topics::heartbeatCodec),
                input("ClockEvent", CLOCK, "clock", CLOCK_ID, Topics::clockCodec),
                output("Alert", ALERT, "alert", ALERT_ID, TOPICS.alerts().valueSerde()),
                output("DeadLetter", DEAD_LETTER, "dead-letter", DEAD_LETTER_ID, TOPICS.dlq().valueSerde()),
                output("DeadLetter (tombstone)", TOMBSTONE_LETTER, "dead-letter", DEAD_LETTER_ID,
                        TOPICS.dlq().valueSerde()),
                output("Metric (storm)", STORM_METRIC, "metric", METRIC_ID,
                        TOPICS.metrics().valueSerde()),
                output("Metric (empty maps)", CALM_METRIC, "metric", METRIC_ID,
                        TOPICS.metrics().valueSerde()),
                output("StandupSummary", STANDUP, "standup", STANDUP_ID, TOPICS.standup().valueSerde()),
                output("StandupSummary (no data)", EMPTY_STANDUP, "standup", STANDUP_ID,
                        TOPICS.standup().valueSerde()));
    }

    @SuppressWarnings("unchecked")
    private static Case input(String name, Object value, String schema, int id, Function<Topics, Codec<?>> codec) {
        Codec<Object> avro = (Codec<Object>) codec.apply(TOPICS);
        return new Case(name, value, "schemas/" + schema + ".avsc", id, avro,
                (Codec<Object>) (Codec<?>) new JsonCodec<>(value.getClass()));
    }

    /** Output topics expose serdes, not codecs: wrap the configured serde so the same checks apply. */
    @SuppressWarnings("unchecked")
    private static Case output(String name, Object value, String schema, int id, Serde<?> serde) {
        Serde<Object> s = (Serde<Object>) serde;
        Codec<Object> avro = new Codec<>() {
            @Override
            public byte[] encode(Object v) {
                return s.serializer().serialize("topic", v);
            }

            @Override
            public Object decode(byte[] bytes) {
                return s.deserializer().deserialize("topic", bytes);
            }
        };
        return new Case(name, value, "schemas/" + schema + ".avsc", id, avro,
                (Codec<Object>) (Codec<?>) new JsonCodec<>(value.getClass()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void jsonRoundTripsToAnEqualObject(Case c) throws DecodeException {
        assertSameRecord(c.value(), c.json().decode(c.json().encode(c.value())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void avroRoundTripsToAnEqualObject(Case c) throws DecodeException {
        assertSameRecord(c.value(), c.avro().decode(c.avro().encode(c.value())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void avroBytesCarryTheConfluentHeaderWithTheConfiguredSchemaId(Case c) {
        byte[] bytes = c.avro().encode(c.value());
        assertTrue(bytes.length > 5, "header plus a body");
        assertEquals(0, bytes[0], "magic byte");
        int id = c.schemaId();
        byte[] bigEndian = {(byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id};
        assertArrayEquals(bigEndian, Arrays.copyOfRange(bytes, 1, 5), "schema id " + id + ", big-endian");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aPlainAvroReaderWithTheAvscReadsTheBody(Case c) throws IOException {
        Schema schema = AvroCodec.loadSchema(c.schema());
        GenericRecord generic = readGeneric(schema, c.avro().encode(c.value()));
        assertEquals(schema.getFullName(), generic.getSchema().getFullName());
        for (RecordComponent rc : c.value().getClass().getRecordComponents()) {
            assertEquals(plain(component(c.value(), rc)), plain(generic.get(rc.getName())),
                    () -> c.name() + "." + rc.getName());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aRecordWrittenByAPlainAvroWriterDecodes(Case c) throws Exception {
        Schema schema = AvroCodec.loadSchema(c.schema());
        byte[] framed = frame(c.schemaId(), writeGeneric(schema, toGeneric(schema, c.value())));
        assertSameRecord(c.value(), c.avro().decode(framed));
    }

    @Test
    void plainReaderSeesTheRequestFieldsByName() throws IOException {
        // Spelled out for the richest type, so the generic comparison above is not the only witness.
        GenericRecord r = readGeneric(AvroCodec.loadSchema("schemas/request.avsc"),
                TOPICS.requestCodec().encode(FULL_REQUEST));
        assertEquals("e-42", r.get("eventId").toString());
        assertEquals(T, r.get("timestamp"));
        assertEquals("svc-order", r.get("service").toString());
        assertEquals(3, r.get("attempt"));
        assertEquals("TIMEOUT", r.get("status").toString());
        assertInstanceOf(GenericData.EnumSymbol.class, r.get("status"));
        assertEquals(1500.25, r.get("latencyMs"));
        assertEquals(1500L, r.get("timeoutMs"));
        assertEquals(List.of("e-40", "hb-3"), plain(r.get("causedBy")));
        assertEquals("WRITE", r.get("kind").toString());
        assertEquals(Map.of("pod-7", 17L, "pod-8", 4L), plain(r.get("vectorClock")));
        assertEquals("HALF_OPEN", r.get("circuitBreaker").toString());
        assertNull(readGeneric(AvroCodec.loadSchema("schemas/request.avsc"),
                TOPICS.requestCodec().encode(MINIMAL_REQUEST)).get("vectorClock"));
    }

    @Test
    void aHandWrittenGenericRequestDecodes() throws Exception {
        Schema schema = AvroCodec.loadSchema("schemas/request.avsc");
        GenericRecord r = new GenericData.Record(schema);
        r.put("eventId", "e-9");
        r.put("timestamp", T);
        r.put("service", "svc-cart");
        r.put("layer", "database");
        r.put("attempt", 2);
        r.put("status", new GenericData.EnumSymbol(schema.getField("status").schema(), "ERROR"));
        r.put("latencyMs", 3.5);
        r.put("vectorClock", Map.of("db-1", 5L));
        r.put("causedBy", List.of("e-8"));
        byte[] framed = frame(REQUEST_ID, writeGeneric(schema, r));

        RequestEvent decoded = TOPICS.requestCodec().decode(framed);

        assertEquals(new RequestEvent("e-9", T, "svc-cart", "database", null, null, null, 2, null, Status.ERROR, 3.5,
                null, null, null, null, List.of("e-8"), null, null, null, Map.of("db-1", 5L), null), decoded);
    }

    @Test
    void bytesWithoutTheConfluentFrameAreRejectedWithAReason() throws IOException {
        Codec<RequestEvent> codec = TOPICS.requestCodec();
        byte[] bareBody = writeGeneric(AvroCodec.loadSchema("schemas/request.avsc"),
                toGeneric(AvroCodec.loadSchema("schemas/request.avsc"), MINIMAL_REQUEST));
        for (byte[] notFramed : List.of(bareBody, "{\"eventId\":\"e-1\"}".getBytes(), new byte[] {0, 0, 0},
                new byte[0], new byte[] {1, 0, 0, 0, 1, 2})) {
            DecodeException e = assertThrows(DecodeException.class, () -> codec.decode(notFramed),
                    () -> "accepted " + Arrays.toString(notFramed));
            assertContains(e.getMessage(), "not Confluent-framed Avro", "magic byte");
        }
    }

    @Test
    void aFramedButTruncatedBodyIsRejectedWithAReason() {
        byte[] good = TOPICS.requestCodec().encode(FULL_REQUEST);
        byte[] truncated = Arrays.copyOf(good, good.length - 4);
        DecodeException e = assertThrows(DecodeException.class, () -> TOPICS.requestCodec().decode(truncated));
        assertContains(e.getMessage(), "not a valid Avro RequestEvent");
    }

    // --- helpers ---

    /** Field-by-field equality; byte[] by content, which record equals() does not do. */
    static void assertSameRecord(Object expected, Object actual) {
        assertNotNull(actual);
        assertEquals(expected.getClass(), actual.getClass());
        for (RecordComponent rc : expected.getClass().getRecordComponents()) {
            Object e = component(expected, rc);
            Object a = component(actual, rc);
            if (e instanceof byte[] eb) {
                assertTrue(a instanceof byte[] ab && Arrays.equals(eb, ab), () -> rc.getName() + ": bytes differ");
            } else {
                assertEquals(e, a, rc.getName());
            }
        }
    }

    static Object component(Object record, RecordComponent rc) {
        try {
            return rc.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static GenericRecord readGeneric(Schema schema, byte[] framed) throws IOException {
        byte[] body = Arrays.copyOfRange(framed, 5, framed.length);
        var decoder = DecoderFactory.get().binaryDecoder(body, null);
        GenericRecord r = new GenericDatumReader<GenericRecord>(schema).read(null, decoder);
        assertTrue(decoder.isEnd(), "the body is exactly one record");
        return r;
    }

    private static byte[] writeGeneric(Schema schema, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static byte[] frame(int schemaId, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(schemaId).put(body).array();
    }

    /** A Java record as a GenericRecord of {@code schema}, field by name: what a non-Java producer would build. */
    private static GenericRecord toGeneric(Schema schema, Object value) {
        GenericRecord r = new GenericData.Record(schema);
        for (RecordComponent rc : value.getClass().getRecordComponents()) {
            Schema.Field field = schema.getField(rc.getName());
            assertNotNull(field, () -> "schema has no field " + rc.getName());
            r.put(rc.getName(), toAvro(field.schema(), component(value, rc)));
        }
        return r;
    }

    private static Object toAvro(Schema schema, Object v) {
        if (v == null) {
            return null;
        }
        if (schema.getType() == Schema.Type.UNION) {
            Schema nonNull = schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).findFirst()
                    .orElseThrow();
            return toAvro(nonNull, v);
        }
        if (v instanceof Enum<?> e) {
            return new GenericData.EnumSymbol(schema, e.name());
        }
        if (v instanceof Record rec) {
            return toGeneric(schema, rec);
        }
        if (v instanceof List<?> l && schema.getType() == Schema.Type.ARRAY) {
            return l.stream().map(x -> toAvro(schema.getElementType(), x)).toList();
        }
        if (v instanceof byte[] b) {
            return ByteBuffer.wrap(b);
        }
        return v;
    }

    /** Java and Avro generic values in one comparable form: Utf8 to String, enums to names, bytes to lists. */
    private static Object plain(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof CharSequence || v instanceof Enum<?> || v instanceof GenericData.EnumSymbol) {
            return v.toString();
        }
        if (v instanceof Record rec) {
            Map<Object, Object> out = new HashMap<>();
            for (RecordComponent rc : rec.getClass().getRecordComponents()) {
                out.put(rc.getName(), plain(component(rec, rc)));
            }
            return out;
        }
        if (v instanceof GenericRecord g) {
            Map<Object, Object> out = new HashMap<>();
            g.getSchema().getFields().forEach(f -> out.put(f.name(), plain(g.get(f.name()))));
            return out;
        }
        if (v instanceof byte[] b) {
            return plain(ByteBuffer.wrap(b));
        }
        if (v instanceof ByteBuffer bb) {
            List<Byte> out = new ArrayList<>();
            ByteBuffer d = bb.duplicate();
            while (d.hasRemaining()) {
                out.add(d.get());
            }
            return out;
        }
        if (v instanceof List<?> l) {
            return l.stream().map(AvroCodecTest::plain).toList();
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new HashMap<>();
            m.forEach((k, x) -> out.put(plain(k), plain(x)));
            return out;
        }
        return v;
    }

    @Test
    void aRecordWrittenWithAnotherSchemaIdIsRejectedNotMisread() {
        AvroCodec<io.asyncwatch.model.HeartbeatEvent> heartbeats =
                new AvroCodec<>(io.asyncwatch.model.HeartbeatEvent.class, "schemas/heartbeat.avsc", 2);
        AvroCodec<io.asyncwatch.model.ClockEvent> clocks =
                new AvroCodec<>(io.asyncwatch.model.ClockEvent.class, "schemas/clock.avsc", 3);
        byte[] heartbeat = heartbeats.encode(new io.asyncwatch.model.HeartbeatEvent("hb-1", "node-1", "c1",
                1_700_000_000_000L, 7L, io.asyncwatch.model.Role.LEADER, 3L, 1000L));
        DecodeException e = org.junit.jupiter.api.Assertions.assertThrows(DecodeException.class,
                () -> clocks.decode(heartbeat));
        assertTrue(e.getMessage().contains("schema id 2") && e.getMessage().contains("schema id 3"), e.getMessage());
    }
}
