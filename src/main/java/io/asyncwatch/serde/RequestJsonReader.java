package io.asyncwatch.serde;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.asyncwatch.model.CircuitBreaker;
import io.asyncwatch.model.Kind;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.Status;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@link RequestEvent} straight from the token stream: requests are nearly all of the input, and data
 * binding (property buffers, creator lookup) cost a fifth of a stream thread's time. Only the plain shape is
 * handled here (each field of its own JSON type or null, no duplicate field); anything else returns {@code null}
 * and the caller decodes the payload again with data binding, which accepts or rejects it with its own reason.
 * So this reader changes speed only, never which payloads pass or what they decode to
 * ({@code RequestJsonReaderTest} compares the two on valid and broken payloads).
 */
final class RequestJsonReader {

    static final Map<String, Status> STATUS = byName(Status.class);
    static final Map<String, Kind> KIND = byName(Kind.class);
    static final Map<String, CircuitBreaker> BREAKER = byName(CircuitBreaker.class);

    private RequestJsonReader() {
    }

    /** The event, or {@code null} when the payload is not of the plain shape (or not valid JSON at all). */
    static RequestEvent read(JsonParser p) {
        try {
            return readPlain(p);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static RequestEvent readPlain(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        String eventId = null;
        Long timestamp = null;
        String service = null;
        String layer = null;
        String node = null;
        String destination = null;
        String operation = null;
        Integer attempt = null;
        String requestId = null;
        Status status = null;
        Double latencyMs = null;
        Long timeoutMs = null;
        String traceId = null;
        String spanId = null;
        String parentSpanId = null;
        List<String> causedBy = null;
        Kind kind = null;
        String entity = null;
        Long lamport = null;
        Map<String, Long> vectorClock = null;
        CircuitBreaker circuitBreaker = null;
        int seen = 0;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            int bit;
            boolean isNull = v == JsonToken.VALUE_NULL;
            switch (name) {
                case "eventId" -> { bit = 1; if (!isNull) { eventId = text(p, v); if (eventId == null) return null; } }
                case "timestamp" -> { bit = 1 << 1; if (!isNull) { timestamp = longValue(p, v); if (timestamp == null) return null; } }
                case "service" -> { bit = 1 << 2; if (!isNull) { service = text(p, v); if (service == null) return null; } }
                case "layer" -> { bit = 1 << 3; if (!isNull) { layer = text(p, v); if (layer == null) return null; } }
                case "node" -> { bit = 1 << 4; if (!isNull) { node = text(p, v); if (node == null) return null; } }
                case "destination" -> { bit = 1 << 5; if (!isNull) { destination = text(p, v); if (destination == null) return null; } }
                case "operation" -> { bit = 1 << 6; if (!isNull) { operation = text(p, v); if (operation == null) return null; } }
                case "attempt" -> { bit = 1 << 7; if (!isNull) { attempt = intValue(p, v); if (attempt == null) return null; } }
                case "requestId" -> { bit = 1 << 8; if (!isNull) { requestId = text(p, v); if (requestId == null) return null; } }
                case "status" -> { bit = 1 << 9; if (!isNull) { status = status(text(p, v)); if (status == null) return null; } }
                case "latencyMs" -> { bit = 1 << 10; if (!isNull) { latencyMs = doubleValue(p, v); if (latencyMs == null) return null; } }
                case "timeoutMs" -> { bit = 1 << 11; if (!isNull) { timeoutMs = longValue(p, v); if (timeoutMs == null) return null; } }
                case "traceId" -> { bit = 1 << 12; if (!isNull) { traceId = text(p, v); if (traceId == null) return null; } }
                case "spanId" -> { bit = 1 << 13; if (!isNull) { spanId = text(p, v); if (spanId == null) return null; } }
                case "parentSpanId" -> { bit = 1 << 14; if (!isNull) { parentSpanId = text(p, v); if (parentSpanId == null) return null; } }
                case "causedBy" -> { bit = 1 << 15; if (!isNull) { causedBy = strings(p, v); if (causedBy == null) return null; } }
                case "kind" -> { bit = 1 << 16; if (!isNull) { kind = kind(text(p, v)); if (kind == null) return null; } }
                case "entity" -> { bit = 1 << 17; if (!isNull) { entity = text(p, v); if (entity == null) return null; } }
                case "lamport" -> { bit = 1 << 18; if (!isNull) { lamport = longValue(p, v); if (lamport == null) return null; } }
                case "vectorClock" -> { bit = 1 << 19; if (!isNull) { vectorClock = clock(p, v); if (vectorClock == null) return null; } }
                case "circuitBreaker" -> { bit = 1 << 20; if (!isNull) { circuitBreaker = breaker(text(p, v)); if (circuitBreaker == null) return null; } }
                default -> {
                    // Unknown fields are ignored (forward compatibility), as data binding does.
                    p.skipChildren();
                    continue;
                }
            }
            if ((seen & bit) != 0) {
                return null; // a field given twice: data binding decides what that means
            }
            seen |= bit;
        }
        if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
            return null;
        }
        return new RequestEvent(eventId, timestamp, service, layer, node, destination, operation, attempt, requestId,
                status, latencyMs, timeoutMs, traceId, spanId, parentSpanId, causedBy, kind, entity, lamport,
                vectorClock, circuitBreaker);
    }

    private static String text(JsonParser p, JsonToken v) throws IOException {
        return v == JsonToken.VALUE_STRING ? p.getText() : null;
    }

    private static Long longValue(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.VALUE_NUMBER_INT) {
            return null;
        }
        JsonParser.NumberType n = p.getNumberType();
        return n == JsonParser.NumberType.INT || n == JsonParser.NumberType.LONG ? p.getLongValue() : null;
    }

    private static Integer intValue(JsonParser p, JsonToken v) throws IOException {
        return v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT
                ? p.getIntValue() : null;
    }

    private static Double doubleValue(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NUMBER_FLOAT && p.getNumberType() == JsonParser.NumberType.DOUBLE) {
            return p.getDoubleValue();
        }
        if (v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
            return (double) p.getIntValue();
        }
        return null;
    }

    private static List<String> strings(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            return null;
        }
        List<String> out = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.VALUE_STRING) {
            out.add(p.getText());
        }
        return t == JsonToken.END_ARRAY ? out : null;
    }

    private static Map<String, Long> clock(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.START_OBJECT) {
            return null;
        }
        Map<String, Long> out = new LinkedHashMap<>();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            Long value = longValue(p, p.nextToken());
            if (value == null || out.put(key, value) != null) {
                return null;
            }
        }
        return t == JsonToken.END_OBJECT ? out : null;
    }

    private static <E extends Enum<E>> Map<String, E> byName(Class<E> type) {
        Map<String, E> m = new java.util.HashMap<>();
        for (E e : type.getEnumConstants()) {
            m.put(e.name(), e);
        }
        return Map.copyOf(m);
    }

    private static Status status(String s) {
        return s == null ? null : STATUS.get(s);
    }

    private static Kind kind(String s) {
        return s == null ? null : KIND.get(s);
    }

    private static CircuitBreaker breaker(String s) {
        return s == null ? null : BREAKER.get(s);
    }
}
