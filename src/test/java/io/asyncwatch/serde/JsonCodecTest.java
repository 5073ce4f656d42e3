package io.asyncwatch.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.model.CircuitBreaker;
import io.asyncwatch.model.ClockEvent;
import io.asyncwatch.model.HeartbeatEvent;
import io.asyncwatch.model.Kind;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.Role;
import io.asyncwatch.model.Status;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JSON input dialect of the event contract: what is accepted, and why anything else is rejected. */
class JsonCodecTest {

    private static final long T = 1_700_000_000_000L;

    private final JsonCodec<RequestEvent> requests = new JsonCodec<>(RequestEvent.class);
    private final JsonCodec<HeartbeatEvent> heartbeats = new JsonCodec<>(HeartbeatEvent.class);
    private final JsonCodec<ClockEvent> clocks = new JsonCodec<>(ClockEvent.class);

    /** Only the required request fields, as raw JSON values; tests replace or add one field to break exactly it. */
    private static final Map<String, String> MINIMAL = minimal();

    private static Map<String, String> minimal() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("eventId", "\"e-1\"");
        m.put("timestamp", "1700000000000");
        m.put("service", "\"svc-order\"");
        m.put("layer", "\"service\"");
        m.put("attempt", "1");
        m.put("status", "\"SUCCESS\"");
        m.put("latencyMs", "12.5");
        return Collections.unmodifiableMap(m);
    }

    /** The minimal request with {@code field} set to the raw JSON {@code value} (replaced in place, or added). */
    private static String request(String field, String value) {
        Map<String, String> m = new LinkedHashMap<>(MINIMAL);
        m.put(field, value);
        return m.entrySet().stream().map(e -> "\"" + e.getKey() + "\":" + e.getValue())
                .collect(Collectors.joining(",", "{", "}"));
    }

    private static String minimalRequest() {
        return request("eventId", MINIMAL.get("eventId"));
    }

    @Test
    void decodesAFullyPopulatedRequest() throws DecodeException {
        String json = """
                {"eventId":"e-42","timestamp":1700000000000,"service":"svc-order","layer":"api-gateway",
                 "node":"pod-7","destination":"svc-payment","operation":"POST /orders","attempt":3,
                 "requestId":"intent-9","status":"TIMEOUT","latencyMs":1500.25,"timeoutMs":1500,
                 "traceId":"tr-1","spanId":"sp-2","parentSpanId":"sp-1","causedBy":["e-40","hb-3"],
                 "kind":"WRITE","entity":"Order[1337]","lamport":17,"vectorClock":{"pod-7":17,"pod-8":4},
                 "circuitBreaker":"HALF_OPEN"}
                """;
        RequestEvent expected = new RequestEvent("e-42", T, "svc-order", "api-gateway", "pod-7", "svc-payment",
                "POST /orders", 3, "intent-9", Status.TIMEOUT, 1500.25, 1500L, "tr-1", "sp-2", "sp-1",
                List.of("e-40", "hb-3"), Kind.WRITE, "Order[1337]", 17L, Map.of("pod-7", 17L, "pod-8", 4L),
                CircuitBreaker.HALF_OPEN);

        RequestEvent decoded = requests.decode(bytes(json));

        assertEquals(expected, decoded);
        assertTrue(decoded.isRetry(), "attempt 3 is a retry");
    }

    @Test
    void optionalRequestFieldsMayBeAbsentOrNull() throws DecodeException {
        RequestEvent absent = requests.decode(bytes(minimalRequest()));
        String withNulls = minimalRequest().replace("}",
                ",\"node\":null,\"causedBy\":null,\"kind\":null,\"vectorClock\":null,\"circuitBreaker\":null}");
        RequestEvent explicitNull = requests.decode(bytes(withNulls));

        RequestEvent expected = new RequestEvent("e-1", T, "svc-order", "service", null, null, null, 1, null,
                Status.SUCCESS, 12.5, null, null, null, null, null, null, null, null, null, null);
        assertEquals(expected, absent);
        assertEquals(expected, explicitNull);
    }

    @Test
    void aWholeNumberIsAValidDouble() throws DecodeException {
        // JSON has one number type: "latencyMs": 12 is as valid as 12.0.
        RequestEvent decoded = requests.decode(bytes(request("latencyMs", "12")));
        assertEquals(12.0, decoded.latencyMs());
    }

    @Test
    void decodesAHeartbeat() throws DecodeException {
        String json = """
                {"eventId":"hb-1","node":"broker-2","cluster":"kafka-eu","timestamp":1700000000000,
                 "sequence":41,"role":"CANDIDATE","term":7,"intervalMs":500}
                """;
        assertEquals(new HeartbeatEvent("hb-1", "broker-2", "kafka-eu", T, 41L, Role.CANDIDATE, 7L, 500L),
                heartbeats.decode(bytes(json)));
    }

    @Test
    void decodesAClockReading() throws DecodeException {
        String json = """
                {"eventId":"c-1","node":"db-1","cluster":"pg","timestamp":1700000000000,"offsetMs":-231.5,
                 "driftPpm":12.25,"syncOk":false,"lamport":99,"vectorClock":{"db-1":99,"db-2":98}}
                """;
        assertEquals(new ClockEvent("c-1", "db-1", "pg", T, -231.5, 12.25, false, 99L,
                Map.of("db-1", 99L, "db-2", 98L)), clocks.decode(bytes(json)));
    }

    @Test
    void unknownFieldsAreIgnored() throws DecodeException {
        // Forward compatibility: a producer on a newer contract version must not be dead-lettered.
        String json = minimalRequest().replace("}",
                ",\"region\":\"eu-west-1\",\"tags\":{\"a\":[1,2,{\"b\":null}]},\"retry\":true,\"score\":1e3}");
        RequestEvent decoded = requests.decode(bytes(json));
        assertEquals("svc-order", decoded.service());
        assertEquals(1, decoded.attempt());
        assertEquals(requests.decode(bytes(minimalRequest())), decoded);
    }

    // --- rejections: the message is the dead-letter reason, so it must say which field and what is wrong ---

    @Test
    void aStringWhereAnIntegerIsExpectedIsNotCoerced() {
        String reason = rejectRequest("\"attempt\":\"2\"");
        assertContains(reason, "'attempt'", "wrong type", "integer");
    }

    @Test
    void aNumberWhereAStringIsExpectedIsNotCoerced() {
        String reason = rejectRequest("\"service\":42");
        assertContains(reason, "'service'", "wrong type", "string");
    }

    @Test
    void aWordWhereANumberIsExpectedIsRejected() {
        String reason = rejectRequest("\"latencyMs\":\"fast\"");
        assertContains(reason, "'latencyMs'", "wrong type", "number");
    }

    @Test
    void aFractionWhereAnIntegerIsExpectedIsRejected() {
        assertContains(rejectRequest("\"attempt\":2.5"), "'attempt'", "wrong type");
    }

    @Test
    void aStringWhereABooleanIsExpectedIsRejected() {
        String reason = reject(clocks, "{\"node\":\"n\",\"cluster\":\"c\",\"timestamp\":1700000000000,"
                + "\"offsetMs\":1.0,\"syncOk\":\"true\"}");
        assertContains(reason, "'syncOk'", "wrong type", "boolean");
    }

    @Test
    void wrongTypesInsideNestedValuesNameThePath() {
        assertContains(rejectRequest("\"causedBy\":\"e-1\""), "'causedBy'", "array");
        assertContains(rejectRequest("\"vectorClock\":{\"pod-7\":\"seven\"}"), "'vectorClock.pod-7'", "wrong type");
    }

    @Test
    void anUnknownEnumValueIsRejectedListingTheAllowedOnes() {
        String reason = rejectRequest("\"status\":\"MAYBE\"");
        assertContains(reason, "'status'", "MAYBE", "SUCCESS", "TIMEOUT", "ERROR");
    }

    @Test
    void enumValuesAreUpperCaseOnly() {
        // The contract fixes upper case; accepting "success" would make two spellings of one value.
        assertContains(rejectRequest("\"status\":\"success\""), "'status'", "success");
    }

    @Test
    void unknownEnumValuesOfOtherEventsAreRejected() {
        assertContains(rejectRequest("\"kind\":\"DELETE\""), "'kind'", "DELETE", "CALL, READ, WRITE");
        assertContains(rejectRequest("\"circuitBreaker\":\"BROKEN\""), "'circuitBreaker'", "BROKEN");
        String reason = reject(heartbeats, "{\"node\":\"n\",\"cluster\":\"c\",\"timestamp\":1700000000000,"
                + "\"sequence\":1,\"role\":\"KING\",\"term\":1,\"intervalMs\":500}");
        assertContains(reason, "'role'", "KING", "LEADER");
    }

    @Test
    void anIntegerOutOfRangeIsRejectedNotWrapped() {
        // 2^31 must not silently become a negative attempt.
        assertContains(rejectRequest("\"attempt\":2147483648"), "'attempt'", "out of range");
        assertContains(rejectRequest("\"timestamp\":99999999999999999999"), "'timestamp'", "out of range");
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello", "42", "\"a string\"", "null", "true", "   "})
    void aPayloadThatIsNotAJsonObjectIsRejected(String payload) {
        assertContains(reject(requests, payload), "not a JSON object");
    }

    @Test
    void aJsonArrayIsNotAnEvent() {
        assertContains(reject(requests, "[" + minimalRequest() + "]"), "not a JSON object");
    }

    @Test
    void emptyBytesAreRejected() {
        DecodeException e = assertThrows(DecodeException.class, () -> requests.decode(new byte[0]));
        assertContains(e.getMessage(), "empty");
    }

    @Test
    void nonUtf8BytesAreRejected() {
        byte[] garbage = {'{', '"', (byte) 0xFF, (byte) 0xFE, '"', ':', '1', '}'};
        DecodeException e = assertThrows(DecodeException.class, () -> requests.decode(garbage));
        assertContains(e.getMessage(), "not valid JSON", "UTF-8");
    }

    @Test
    void aTruncatedObjectIsRejected() {
        assertContains(reject(requests, minimalRequest().substring(0, minimalRequest().length() - 1)), "not valid JSON");
    }

    @Test
    void trailingGarbageAfterTheObjectIsRejected() {
        // A second value after the event means the framing is wrong; it must not be dropped silently, and the
        // reason must say "trailing" rather than blame the event's type.
        String valid = minimalRequest();
        assertContains(reject(requests, valid + " xyz"), "trailing", "xyz");
        assertContains(reject(requests, valid + " {}"), "trailing", "{");
        assertContains(reject(requests, valid + "42"), "trailing", "42");
    }

    @Test
    void trailingWhitespaceIsNotGarbage() throws DecodeException {
        assertEquals("svc-order", requests.decode(bytes("  " + minimalRequest() + "\n\r\n ")).service());
    }

    @Test
    void aMissingRequiredFieldDecodesToNullForTheValidatorToReject() throws DecodeException {
        // Boxed fields: a missing attempt must be visible as null, not as 0.
        RequestEvent decoded = requests.decode(bytes("{\"eventId\":\"e-1\",\"service\":\"svc-order\"}"));
        assertNull(decoded.attempt());
        assertNull(decoded.timestamp());
        assertNull(decoded.latencyMs());
        assertNull(decoded.status());
    }

    /** Rejects the minimal request with one field broken, given as {@code "field":value}. */
    private String rejectRequest(String brokenField) {
        int colon = brokenField.indexOf("\":");
        return reject(requests, request(brokenField.substring(1, colon), brokenField.substring(colon + 2)));
    }

    private static String reject(JsonCodec<?> codec, String payload) {
        DecodeException e = assertThrows(DecodeException.class, () -> codec.decode(bytes(payload)),
                () -> "should reject " + payload);
        return e.getMessage();
    }

    static void assertContains(String actual, String... fragments) {
        for (String f : fragments) {
            assertTrue(actual != null && actual.contains(f), () -> "expected \"" + f + "\" in: " + actual);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
