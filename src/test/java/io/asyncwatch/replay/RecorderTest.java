package io.asyncwatch.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** What {@code record} writes and how it reads its range: every payload back byte for byte, partitions merged. */
class RecorderTest {

    private static final Clock NOW = Clock.fixed(Instant.parse("2026-12-07T05:00:00Z"), ZoneOffset.UTC);

    private static void roundTrip(byte[] payload) {
        String line = Recording.rawLine("requests", 42L, "svc-a", payload);
        Recording back = Recording.parse(line);
        assertEquals("requests", back.topic());
        assertEquals(42L, back.timestamp());
        assertEquals("svc-a", back.key());
        assertArrayEquals(payload, back.value(), line);
    }

    @Test
    void aJsonObjectIsKeptAsAnObjectAndComesBackByteForByte() {
        byte[] json = "{\"eventId\":\"e-1\",\"timestamp\":1700000000000,\"latencyMs\":12.5}"
                .getBytes(StandardCharsets.UTF_8);
        roundTrip(json);
        assertTrue(Recording.rawLine("requests", 1L, null, json).contains("\"value\":{\"eventId\""),
                "readable in the recording");
    }

    @Test
    void payloadsAnObjectWouldNotReproduceAreKeptAsTextOrBase64() {
        roundTrip("{ \"spaced\" : 1 }".getBytes(StandardCharsets.UTF_8)); // whitespace a rewrite would lose
        roundTrip("{\"latencyMs\":12.50}".getBytes(StandardCharsets.UTF_8)); // a number a rewrite would shorten
        roundTrip("not json at all".getBytes(StandardCharsets.UTF_8));
        roundTrip("[1,2,3]".getBytes(StandardCharsets.UTF_8));
        roundTrip(new byte[0]);
        byte[] binary = {0, 0, 0, 0, 7, (byte) 0xC3, 0x28, (byte) 0xFF};
        roundTrip(binary); // Avro, or garbage: not UTF-8
        assertTrue(Recording.rawLine("requests", 1L, null, binary).contains("\"valueBase64\":\"AAAAAAfDKP8=\""));
    }

    @Test
    void aTombstoneStaysATombstone() {
        Recording back = Recording.parse(Recording.rawLine("heartbeats", 5L, null, null));
        assertNull(back.value());
        assertNull(back.key());
    }

    @Test
    void aBadBase64FieldIsAnErrorThatSaysSo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Recording.parse(
                "{\"topic\":\"requests\",\"timestamp\":1,\"key\":null,\"valueBase64\":\"***\"}"));
        assertTrue(e.getMessage().contains("valueBase64"), e.getMessage());
    }

    @Test
    void rangesAreInstantsEpochMillisRelativeTimesOrOffsets() {
        assertEquals(Instant.parse("2026-12-07T03:00:00Z").toEpochMilli(),
                Recorder.parse("2026-12-07T03:00:00Z", true, NOW).time());
        assertEquals(1_700_000_000_000L, Recorder.parse("1700000000000", true, NOW).time());
        assertEquals(Instant.parse("2026-12-07T04:30:00Z").toEpochMilli(), Recorder.parse("last 30m", true, NOW).time());
        assertEquals(Instant.parse("2026-12-06T05:00:00Z").toEpochMilli(), Recorder.parse("last 1d", true, NOW).time());
        assertEquals(NOW.millis(), Recorder.parse("now", false, NOW).time());
        assertNull(Recorder.parse("earliest", true, NOW).time());
        assertEquals(Map.of("requests-0", 120L, "asyncwatch.clocks-2", 7L),
                Recorder.parse("offset:requests-0=120, asyncwatch.clocks-2=7", false, NOW).offsets());
        assertThrows(IllegalArgumentException.class, () -> Recorder.parse("last 30m", false, NOW));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Recorder.parse("yesterday", true, NOW));
        assertTrue(e.getMessage().contains("'last 30m'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Recorder.parse("offset:requests=5", true, NOW));
    }

    private static ConsumerRecord<byte[], byte[]> rec(String topic, int partition, long offset, long ts) {
        return new ConsumerRecord<>(topic, partition, offset, ts, org.apache.kafka.common.record.TimestampType.CREATE_TIME,
                0, 0, null, new byte[0], new org.apache.kafka.common.header.internals.RecordHeaders(),
                java.util.Optional.empty());
    }

    @Test
    void partitionsAreMergedByTimestampAndEachKeepsItsOwnOrder() {
        TopicPartition a = new TopicPartition("t", 0);
        TopicPartition b = new TopicPartition("t", 1);
        Recorder.Merge m = new Recorder.Merge();
        m.open(a, 100);
        m.open(b, 100);
        m.add(rec("t", 0, 0, 10));
        m.add(rec("t", 0, 1, 30));
        m.add(rec("t", 0, 2, 25)); // out of order within its partition: stays after 30
        assertNull(m.next(), "partition 1 has nothing buffered yet: it may still hold an earlier record");
        m.add(rec("t", 1, 0, 20));
        List<Long> order = new ArrayList<>();
        ConsumerRecord<byte[], byte[]> r;
        while ((r = m.next()) != null) {
            order.add(r.timestamp());
        }
        assertEquals(List.of(10L, 20L), order, "then partition 1 is empty again and not read to its end");
        m.allRead(b);
        while ((r = m.next()) != null) {
            order.add(r.timestamp());
        }
        assertEquals(List.of(10L, 20L, 30L, 25L), order);
        m.allRead(a);
        assertNull(m.next());
        assertEquals(0, m.openCount());
    }
}
