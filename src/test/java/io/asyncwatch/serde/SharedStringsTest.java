package io.asyncwatch.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.asyncwatch.model.RequestEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SharedStringsTest {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void theSameNameReadTwiceIsOneInstance() {
        SharedStrings names = new SharedStrings();
        byte[] a = ascii("[\"svc-order\"]");
        byte[] b = ascii("{svc-order}");
        String first = names.get(a, 2, 11);
        assertEquals("svc-order", first);
        assertSame(first, names.get(b, 1, 10));
    }

    @Test
    void namesThatShareASlotStillReadBackAsThemselves() {
        SharedStrings names = new SharedStrings();
        // Many more names than slots: every read must give its own characters, shared or not.
        for (int round = 0; round < 2; round++) {
            for (int n = 0; n < 5_000; n++) {
                String name = "node-" + n;
                byte[] b = ascii(name);
                assertEquals(name, names.get(b, 0, b.length));
            }
        }
        // "Aa" and "BB" have the same String hash.
        byte[] aa = ascii("Aa");
        byte[] bb = ascii("BB");
        assertEquals("Aa", names.get(aa, 0, 2));
        assertEquals("BB", names.get(bb, 0, 2));
        assertEquals("Aa", names.get(aa, 0, 2));
    }

    @Test
    void longStringsAreNotKept() {
        SharedStrings names = new SharedStrings();
        byte[] b = ascii("x".repeat(SharedStrings.MAX_LENGTH + 1));
        String first = names.get(b, 0, b.length);
        assertEquals("x".repeat(SharedStrings.MAX_LENGTH + 1), first);
        assertNotSame(first, names.get(b, 0, b.length));
    }

    @Test
    void requestsReadWithSharedNamesShareTheirNamesAndEqualTheUnsharedRead() {
        SharedStrings names = new SharedStrings();
        byte[] one = ascii("{\"eventId\":\"e1\",\"timestamp\":1767225600000,\"service\":\"svc-order\",\"layer\":\"service\","
                + "\"node\":\"svc-order-0\",\"destination\":\"db-orders\",\"operation\":\"call\",\"attempt\":1,"
                + "\"vectorClock\":{\"svc-order-0\":3}}");
        byte[] two = ascii("{\"eventId\":\"e2\",\"timestamp\":1767225600001,\"service\":\"svc-order\",\"layer\":\"service\","
                + "\"node\":\"svc-order-0\",\"destination\":\"db-orders\",\"operation\":\"call\",\"attempt\":1}");
        RequestEvent a = RequestBytesReader.read(one, names);
        RequestEvent b = RequestBytesReader.read(two, names);
        assertEquals(RequestBytesReader.read(one), a);
        assertEquals(RequestBytesReader.read(two), b);
        assertSame(a.service(), b.service());
        assertSame(a.node(), b.node());
        assertSame(a.destination(), b.destination());
        assertSame(a.node(), a.vectorClock().keySet().iterator().next());
    }
}
