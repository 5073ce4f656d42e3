package io.asyncwatch.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class OriginTest {

    @Test
    void roundTripsThroughHeadersWithoutTouchingTheInputHeaders() {
        Headers input = new RecordHeaders().add("trace", "abc".getBytes(StandardCharsets.UTF_8));
        Origin origin = new Origin("team:a.requests", 3, 12_345L); // a colon in the topic name survives
        Headers stamped = origin.stamp(input);
        assertEquals(Optional.of(origin), Origin.of(stamped));
        assertEquals("abc", new String(stamped.lastHeader("trace").value(), StandardCharsets.UTF_8));
        assertTrue(Origin.of(input).isEmpty(), "the input record's headers are not modified");
    }

    @Test
    void aMangledHeaderIsIgnored() {
        Headers h = new RecordHeaders().add(Origin.HEADER, "x:y".getBytes(StandardCharsets.UTF_8));
        assertTrue(Origin.of(h).isEmpty());
    }
}
