package io.asyncwatch.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonParser;
import io.asyncwatch.model.RequestEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The plain-shape request reader against data binding: whenever it returns an event, data binding accepts the same
 * payload and decodes the same event; it declines (null) everything else, so rejections keep their reasons.
 */
class RequestJsonReaderTest {

    private final JsonCodec<RequestEvent> codec = new JsonCodec<>(RequestEvent.class);

    /** A full request, every field present, as raw JSON values. */
    static Map<String, String> full() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("eventId", "\"e-42\"");
        m.put("timestamp", "1700000000000");
        m.put("service", "\"svc-order\"");
        m.put("layer", "\"api-gateway\"");
        m.put("node", "\"pod-7\"");
        m.put("destination", "\"svc-payment\"");
        m.put("operation", "\"POST /orders\"");
        m.put("attempt", "3");
        m.put("requestId", "\"intent-9\"");
        m.put("status", "\"TIMEOUT\"");
        m.put("latencyMs", "1500.25");
        m.put("timeoutMs", "1500");
        m.put("traceId", "\"tr-1\"");
        m.put("spanId", "\"sp-2\"");
        m.put("parentSpanId", "\"sp-1\"");
        m.put("causedBy", "[\"e-40\",\"hb-3\"]");
        m.put("kind", "\"WRITE\"");
        m.put("entity", "\"Order[1337]\"");
        m.put("lamport", "17");
        m.put("vectorClock", "{\"pod-7\":17,\"pod-8\":4}");
        m.put("circuitBreaker", "\"HALF_OPEN\"");
        return m;
    }

    /** Raw JSON values of every shape, each tried in every field. */
    private static final List<String> VALUES = List.of("null", "\"x\"", "\"\"", "\"SUCCESS\"", "\"success\"",
            "\"WRITE\"", "\"HALF_OPEN\"", "\"12\"", "0", "1", "-1", "2147483647", "2147483648", "-2147483649",
            "9223372036854775807", "9223372036854775808", "1.5", "-0.0", "1e3", "1e400", "1.0", "true", "false",
            "[]", "[\"a\"]", "[\"a\",null]", "[1]", "[[\"a\"]]", "{}", "{\"a\":1}", "{\"a\":1.5}", "{\"a\":\"1\"}",
            "{\"a\":null}", "{\"a\":1,\"a\":2}", "{\"a\":9223372036854775808}", "{\"a\":{\"b\":1}}");

    static String json(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> "\"" + e.getKey() + "\":" + e.getValue())
                .collect(Collectors.joining(",", "{", "}"));
    }

    /** Payloads of every shape: also what {@code RequestBytesReaderTest} checks its reader on. */
    static List<String> payloads() {
        List<String> out = new ArrayList<>();
        Map<String, String> full = full();
        out.add(json(full));
        for (String field : full.keySet()) {
            Map<String, String> without = new LinkedHashMap<>(full);
            without.remove(field);
            out.add(json(without));
            for (String value : VALUES) {
                Map<String, String> m = new LinkedHashMap<>(full);
                m.put(field, value);
                out.add(json(m));
            }
            // the field twice, same and different values
            out.add(json(full).replace("}", ",\"" + field + "\":" + full.get(field) + "}"));
            out.add(json(full).replace("{", "{\"" + field + "\":null,"));
        }
        for (String value : VALUES) {
            Map<String, String> m = new LinkedHashMap<>(full);
            m.put("unknownField", value);
            out.add(json(m));
        }
        String f = json(full);
        out.add(" \n" + f + "\n ");
        out.add(f + " {}");
        out.add(f + " x");
        out.add(f + "}");
        out.add(f.substring(0, f.length() - 1));
        out.add(f.replace(":", " : ").replace(",", " , "));
        out.add("{}");
        out.add("{\"eventId\":\"e-1\"");
        out.add("{\"eventId\":\"e\\u0031\",\"service\":\"sv\\\"c\"}");
        return out;
    }

    private static RequestEvent plain(String payload) throws IOException {
        try (JsonParser p = Json.MAPPER.createParser(payload.getBytes(StandardCharsets.UTF_8))) {
            return RequestJsonReader.read(p);
        }
    }

    @Test
    void agreesWithDataBindingOnEveryPayloadItReads() throws IOException {
        int read = 0;
        int declined = 0;
        for (String payload : payloads()) {
            RequestEvent fast = plain(payload);
            if (fast == null) {
                declined++;
                continue;
            }
            read++;
            try {
                assertEquals(codec.bind(payload.getBytes(StandardCharsets.UTF_8)), fast, payload);
            } catch (DecodeException e) {
                fail("the plain reader accepted what data binding rejects (" + e.getMessage() + "): " + payload);
            }
        }
        // Both sides must be exercised, or the comparison above proves nothing.
        assertTrue(read > 100, "payloads read on the plain path: " + read);
        assertTrue(declined > 100, "payloads declined: " + declined);
    }

    @Test
    void readsTheFullRequestAndTheCommonShapes() throws IOException {
        assertNotNull(plain(json(full())));
        Map<String, String> m = full();
        m.put("latencyMs", "12");
        m.put("causedBy", "[]");
        m.put("vectorClock", "{}");
        m.put("extra", "{\"nested\":[1,{\"deep\":true}]}");
        RequestEvent e = plain(json(m));
        assertNotNull(e);
        assertEquals(12.0, e.latencyMs());
        assertEquals(List.of(), e.causedBy());
        assertEquals(Map.of(), e.vectorClock());
    }

    @Test
    void declinesWhatDataBindingMustJudge() throws IOException {
        Map<String, String> m = full();
        m.put("attempt", "\"2\"");
        assertNull(plain(json(m)), "a number as a string");
        m = full();
        m.put("status", "\"success\"");
        assertNull(plain(json(m)), "an unknown enum name");
        assertNull(plain(json(full()) + " x"), "trailing data");
        assertNull(plain(json(full()).replace("}", ",\"service\":\"b\"}")), "a field given twice");
    }

    @Test
    void rejectionsStillCarryTheirReasonThroughTheCodec() {
        Map<String, String> m = full();
        m.put("attempt", "\"2\"");
        DecodeException e = org.junit.jupiter.api.Assertions.assertThrows(DecodeException.class,
                () -> codec.decode(json(m).getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("attempt"), e.getMessage());
    }
}
