package io.asyncwatch.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import io.asyncwatch.demo.TrafficGenerator;
import io.asyncwatch.model.RequestEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The byte-level request reader against the parser-based one ({@link RequestJsonReader}, itself checked against
 * data binding): whenever it returns an event, the parser reads the same payload to the same event. What it
 * declines goes to the parser, so declining is always safe; reading differently never is.
 */
class RequestBytesReaderTest {

    /** 2023-11-14T22:13:20Z. */
    private static final long START = 1_700_000_000_000L;

    private static RequestEvent parsed(byte[] payload) {
        try (JsonParser p = Json.MAPPER.createParser(payload)) {
            return RequestJsonReader.read(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when the bytes reader read the payload (and then it read what the parser reads). */
    private static boolean agrees(byte[] payload) {
        RequestEvent read = RequestBytesReader.read(payload);
        if (read == null) {
            return false;
        }
        assertEquals(parsed(payload), read, new String(payload, StandardCharsets.UTF_8));
        return true;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsWhatTheParserReadsOnPayloadsOfEveryShape() {
        int read = 0;
        int declined = 0;
        for (String payload : RequestJsonReaderTest.payloads()) {
            if (agrees(utf8(payload))) {
                read++;
            } else {
                declined++;
            }
        }
        assertTrue(read > 100, "payloads read: " + read);
        assertTrue(declined > 100, "payloads declined: " + declined);
    }

    @Test
    void readsEveryGeneratedRequestItself() {
        int requests = 0;
        for (Iterator<TrafficGenerator.Generated> it = TrafficGenerator.events(TrafficGenerator.demoPlan(START, 7));
             it.hasNext() && requests < 20_000; ) {
            if (it.next().event() instanceof RequestEvent e) {
                byte[] payload = Json.write(e);
                assertTrue(agrees(payload), "declined: " + new String(payload, StandardCharsets.UTF_8));
                assertEquals(e, RequestBytesReader.read(payload));
                requests++;
            }
        }
        assertEquals(20_000, requests);
    }

    @Test
    void mutatedPayloadsAreReadAsTheParserReadsThemOrDeclined() {
        List<byte[]> bases = new ArrayList<>();
        bases.add(utf8(RequestJsonReaderTest.json(RequestJsonReaderTest.full())));
        bases.add(utf8(" {\"eventId\" : \"e-1\", \"timestamp\":1700000000000 ,\"latencyMs\":-0.5,"
                + "\"causedBy\":[ \"a\" , \"b\" ],\"vectorClock\":{ \"n\" : 3 }}\n"));
        byte[] alphabet = utf8("{}[]\":,.-+0123456789eEnultrsfa \t\n\\u/x");
        Random random = new Random(7);
        int read = 0;
        int mutations = 40_000;
        for (int n = 0; n < mutations; n++) {
            byte[] b = bases.get(n % bases.size()).clone();
            int at = random.nextInt(b.length);
            byte[] mutated = switch (random.nextInt(5)) {
                case 0 -> {
                    b[at] = alphabet[random.nextInt(alphabet.length)];
                    yield b;
                }
                case 1 -> {
                    b[at] = (byte) (0x80 + random.nextInt(0x80)); // not ASCII: the parser's
                    yield b;
                }
                case 2 -> cut(b, at, Math.min(b.length, at + 1 + random.nextInt(4)));
                case 3 -> Arrays.copyOf(b, at); // truncated
                default -> insert(b, at, alphabet[random.nextInt(alphabet.length)]);
            };
            if (agrees(mutated)) {
                read++;
            }
        }
        // Both outcomes must be common, or the comparison proves little.
        assertTrue(read > mutations / 20, "mutations read: " + read);
        assertTrue(read < mutations / 2, "mutations read: " + read);
    }

    @Test
    void numbersAreReadAsJacksonReadsThemOrLeftToIt() {
        Map<String, String> m = RequestJsonReaderTest.full();
        m.put("latencyMs", "-0");
        RequestEvent e = RequestBytesReader.read(utf8(RequestJsonReaderTest.json(m)));
        assertNotNull(e);
        assertEquals(0.0, e.latencyMs()); // an integer: positive zero, as the parser gives it
        m.put("latencyMs", "-0.0");
        assertEquals(-0.0, RequestBytesReader.read(utf8(RequestJsonReaderTest.json(m))).latencyMs());
        for (String declined : List.of("01", "1.", ".5", "1e3", "1E3", "2147483648", "+1", "0x1", "1.5.5")) {
            m.put("latencyMs", declined);
            assertNull(RequestBytesReader.read(utf8(RequestJsonReaderTest.json(m))), declined);
        }
        m = RequestJsonReaderTest.full();
        m.put("timestamp", "1234567890123456789"); // fits a long, but has 19 digits: left to the parser
        byte[] payload = utf8(RequestJsonReaderTest.json(m));
        assertNull(RequestBytesReader.read(payload));
        assertEquals(1234567890123456789L, parsed(payload).timestamp());
        m.put("timestamp", "-42");
        assertEquals(-42L, RequestBytesReader.read(utf8(RequestJsonReaderTest.json(m))).timestamp());
        m.put("attempt", "2147483648");
        assertNull(RequestBytesReader.read(utf8(RequestJsonReaderTest.json(m))), "an attempt beyond an int");
    }

    @Test
    void theCodecGivesTheSameEventWhicheverReaderReadsIt() throws DecodeException {
        JsonCodec<RequestEvent> codec = new JsonCodec<>(RequestEvent.class);
        Map<String, String> m = RequestJsonReaderTest.full();
        byte[] plain = utf8(RequestJsonReaderTest.json(m));
        assertNotNull(RequestBytesReader.read(plain));
        m.put("service", "\"svc-\\u006Frder\""); // an escape: the parser reads it
        byte[] escaped = utf8(RequestJsonReaderTest.json(m));
        assertNull(RequestBytesReader.read(escaped));
        m.put("service", "\"svc-order\"");
        m.put("unknownField", "{\"nested\":[1]}"); // not a contract field: the parser skips it
        byte[] extra = utf8(RequestJsonReaderTest.json(m));
        assertNull(RequestBytesReader.read(extra));
        RequestEvent expected = codec.bind(plain);
        assertEquals(expected, codec.decode(plain));
        assertEquals("svc-order", codec.decode(escaped).service());
        assertEquals(expected, codec.decode(extra));
    }

    @Test
    void aVectorClockKeyLongerThanTheParserTakesIsLeftToTheParser() {
        JsonCodec<RequestEvent> codec = new JsonCodec<>(RequestEvent.class);
        Map<String, String> m = RequestJsonReaderTest.full();
        m.put("vectorClock", "{\"" + "n".repeat(50_001) + "\":1}");
        byte[] payload = utf8(RequestJsonReaderTest.json(m));
        assertNull(RequestBytesReader.read(payload));
        // Over Jackson's field name limit: rejected (a dead letter), as before this reader.
        org.junit.jupiter.api.Assertions.assertThrows(DecodeException.class, () -> codec.decode(payload));
        m.put("vectorClock", "{\"" + "n".repeat(1024) + "\":1}");
        assertTrue(agrees(utf8(RequestJsonReaderTest.json(m))));
    }

    private static byte[] cut(byte[] b, int from, int to) {
        byte[] out = new byte[b.length - (to - from)];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(b, to, out, from, b.length - to);
        return out;
    }

    private static byte[] insert(byte[] b, int at, byte c) {
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, at);
        out[at] = c;
        System.arraycopy(b, at, out, at + 1, b.length - at);
        return out;
    }
}
