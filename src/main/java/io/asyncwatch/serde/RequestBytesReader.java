package io.asyncwatch.serde;

import io.asyncwatch.model.CircuitBreaker;
import io.asyncwatch.model.Kind;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.Status;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@link RequestEvent} straight from the payload's bytes, without a JSON parser: requests are nearly all of
 * the input, and creating a parser and walking its tokens cost a sixth of a stream thread's time. Only the common
 * shape is read here: contract fields only, ASCII strings without escapes, integers without leading zeros and
 * decimals without an exponent. Anything else returns {@code null} and the caller reads the payload with
 * {@link RequestJsonReader}, and then data binding, as before. So this reader changes speed only, never which
 * payloads pass or what they decode to ({@code RequestBytesReaderTest} compares it with {@link RequestJsonReader}).
 */
final class RequestBytesReader {

    private static final byte[][] NAMES = names("eventId", "timestamp", "service", "layer", "node", "destination",
            "operation", "attempt", "requestId", "status", "latencyMs", "timeoutMs", "traceId", "spanId",
            "parentSpanId", "causedBy", "kind", "entity", "lamport", "vectorClock", "circuitBreaker");
    /** More digits than this may not fit a long: left to the parser. */
    private static final int MAX_DIGITS = 18;
    /** Longer decimals are left to the parser, which has limits of its own (StreamReadConstraints). */
    private static final int MAX_DECIMAL = 64;
    /** Larger payloads too: well under the parser's string length limit. */
    private static final int MAX_PAYLOAD = 1 << 20;
    /** Longer vector clock keys (node names) too: well under the parser's field name limit (50 000). */
    private static final int MAX_KEY = 1024;

    private final byte[] b;
    /** Names read again and again (null: every string made anew). */
    private final SharedStrings names;
    private int i;
    /** Where the next field name is looked for first: writers keep the contract's order, skipping absent fields. */
    private int nextField;

    private RequestBytesReader(byte[] b, SharedStrings names) {
        this.b = b;
        this.names = names;
    }

    /** The event, or {@code null} when the payload is not of the common shape. */
    static RequestEvent read(byte[] payload) {
        return read(payload, null);
    }

    /** As {@link #read(byte[])}, its names (service, layer, node, destination, operation) from {@code names}. */
    static RequestEvent read(byte[] payload, SharedStrings names) {
        if (payload.length > MAX_PAYLOAD) {
            return null;
        }
        try {
            return new RequestBytesReader(payload, names).event();
        } catch (RuntimeException e) {
            return null; // an index past the end: a truncated payload is the parser's to judge
        }
    }

    private RequestEvent event() {
        ws();
        if (b[i++] != '{') {
            return null;
        }
        Object[] v = new Object[NAMES.length];
        int seen = 0;
        ws();
        if (b[i] == '}') {
            i++;
        } else {
            while (true) {
                int field = name();
                if (field < 0 || (seen & (1 << field)) != 0) {
                    return null; // not a contract field, or a field given twice: the parser decides
                }
                seen |= 1 << field;
                ws();
                if (b[i++] != ':') {
                    return null;
                }
                ws();
                if (!value(field, v)) {
                    return null;
                }
                ws();
                byte c = b[i++];
                if (c == '}') {
                    break;
                }
                if (c != ',') {
                    return null;
                }
                ws();
            }
        }
        ws();
        if (i != b.length) {
            return null;
        }
        return new RequestEvent((String) v[0], (Long) v[1], (String) v[2], (String) v[3], (String) v[4],
                (String) v[5], (String) v[6], (Integer) v[7], (String) v[8], (Status) v[9], (Double) v[10],
                (Long) v[11], (String) v[12], (String) v[13], (String) v[14], cast(v[15]), (Kind) v[16],
                (String) v[17], (Long) v[18], cast(v[19]), (CircuitBreaker) v[20]);
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }

    /** Reads the value of {@code field} into {@code v}; false when it is not of the common shape. */
    private boolean value(int field, Object[] v) {
        if (literalNull()) {
            return true;
        }
        Object value = switch (field) {
            case 1, 11, 18 -> longValue();
            case 7 -> {
                Long n = longValue();
                yield n == null || n != n.intValue() ? null : (Object) n.intValue();
            }
            case 9 -> enumValue(RequestJsonReader.STATUS);
            case 10 -> doubleValue();
            case 15 -> strings();
            case 16 -> enumValue(RequestJsonReader.KIND);
            case 19 -> clock();
            case 20 -> enumValue(RequestJsonReader.BREAKER);
            case 2, 3, 4, 5, 6 -> text(names);
            default -> string();
        };
        v[field] = value;
        return value != null;
    }

    private boolean literalNull() {
        if (b[i] == 'n' && b[i + 1] == 'u' && b[i + 2] == 'l' && b[i + 3] == 'l') {
            i += 4;
            return true;
        }
        return false;
    }

    /** The index of the contract field named next, or -1. */
    private int name() {
        if (b[i] != '"') {
            return -1;
        }
        int start = i + 1;
        int end = start;
        while (b[end] != '"') {
            end++;
        }
        i = end + 1;
        int length = end - start;
        for (int k = 0; k < NAMES.length; k++) {
            int f = (nextField + k) % NAMES.length;
            byte[] n = NAMES[f];
            if (n.length == length && java.util.Arrays.equals(b, start, end, n, 0, length)) {
                nextField = f + 1;
                return f;
            }
        }
        return -1;
    }

    /** A string of printable ASCII without escapes, or null. */
    private String string() {
        return text(null);
    }

    /** {@link #string()}, from {@code shared} when given. */
    private String text(SharedStrings shared) {
        if (b[i] != '"') {
            return null;
        }
        int start = ++i;
        byte c;
        while ((c = b[i]) != '"') {
            if (c == '\\' || c < 0x20 || c == 0x7F) {
                return null; // escapes, control and non-ASCII characters (negative bytes) are the parser's
            }
            i++;
        }
        int end = i++;
        return shared != null ? shared.get(b, start, end)
                : new String(b, start, end - start, StandardCharsets.ISO_8859_1);
    }

    private <E> E enumValue(Map<String, E> byName) {
        String s = text(names);
        return s == null ? null : byName.get(s);
    }

    /** An integer as JSON writes it (no leading zero, no fraction, no exponent) that fits a long, or null. */
    private Long longValue() {
        int start = i;
        boolean negative = b[i] == '-';
        if (negative) {
            i++;
        }
        int first = i;
        long n = 0;
        while (b[i] >= '0' && b[i] <= '9') {
            n = n * 10 + (b[i++] - '0');
        }
        int digits = i - first;
        if (digits == 0 || digits > MAX_DIGITS || b[first] == '0' && digits > 1 || endsNumber(b[i])) {
            i = start;
            return null;
        }
        return negative ? -n : n;
    }

    /** A decimal ("12", "-3.25") as Jackson reads it for a double field, or null. */
    private Double doubleValue() {
        int start = i;
        if (b[i] == '-') {
            i++;
        }
        int first = i;
        while (b[i] >= '0' && b[i] <= '9') {
            i++;
        }
        int digits = i - first;
        if (digits == 0 || b[first] == '0' && digits > 1) {
            return null;
        }
        if (b[i] != '.') {
            // An integer: Jackson gives a double field only int-sized ones.
            if (endsNumber(b[i]) || digits > 10) {
                return null;
            }
            long n = Long.parseLong(new String(b, start, i - start, StandardCharsets.ISO_8859_1));
            return n == (int) n ? (double) n : null;
        }
        i++;
        int fraction = i;
        while (b[i] >= '0' && b[i] <= '9') {
            i++;
        }
        if (i == fraction || endsNumber(b[i]) || i - start > MAX_DECIMAL) {
            return null;
        }
        return Double.parseDouble(new String(b, start, i - start, StandardCharsets.ISO_8859_1));
    }

    /** Whether {@code c} would continue a number this reader leaves to the parser (fraction, exponent, junk). */
    private static boolean endsNumber(byte c) {
        return !(c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r');
    }

    private List<String> strings() {
        if (b[i++] != '[') {
            return null;
        }
        List<String> out = new ArrayList<>();
        ws();
        if (b[i] == ']') {
            i++;
            return out;
        }
        while (true) {
            String s = string();
            if (s == null) {
                return null;
            }
            out.add(s);
            ws();
            byte c = b[i++];
            if (c == ']') {
                return out;
            }
            if (c != ',') {
                return null;
            }
            ws();
        }
    }

    private Map<String, Long> clock() {
        if (b[i++] != '{') {
            return null;
        }
        Map<String, Long> out = new LinkedHashMap<>();
        ws();
        if (b[i] == '}') {
            i++;
            return out;
        }
        while (true) {
            String key = text(names); // a node name
            if (key == null || key.length() > MAX_KEY) {
                return null;
            }
            ws();
            if (b[i++] != ':') {
                return null;
            }
            ws();
            Long value = longValue();
            if (value == null || out.put(key, value) != null) {
                return null;
            }
            ws();
            byte c = b[i++];
            if (c == '}') {
                return out;
            }
            if (c != ',') {
                return null;
            }
            ws();
        }
    }

    /** Skips JSON whitespace; the payload's end is never whitespace, so callers see it as a mismatch. */
    private void ws() {
        while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
            i++;
        }
    }

    private static byte[][] names(String... names) {
        byte[][] out = new byte[names.length][];
        for (int f = 0; f < names.length; f++) {
            out[f] = names[f].getBytes(StandardCharsets.US_ASCII);
        }
        return out;
    }
}
