package io.asyncwatch.ingest;

/**
 * An input event that passed decoding, validation and its partition's clock. The record carrying it has the
 * effective event time as its timestamp.
 *
 * @param clock  the partition's {@link io.asyncwatch.time.EventClock} reading after this event: the "now" of
 *               stages in the ingest sub-topology (never the raw record timestamps, which a skewed sender sets)
 * @param origin where the record entered, for dead letters further on
 * @param raw    the original payload bytes, so a stage that rejects the event later dead-letters it verbatim
 * @param source the input partition ({@code requests:3}); with no event this is that partition's clock
 *               tick, sent every second so that stages after a re-key know how far every partition has got
 * @param recordTime the Kafka record's own timestamp (when it was produced or appended), next to the sender's
 *               timestamp in the event: their difference is the delivery delay plus the sender's clock error
 */
public record Accepted<T>(T event, long clock, Origin origin, byte[] raw, String source, long recordTime) {

    public static <T> Accepted<T> tick(String source, long clock) {
        return new Accepted<>(null, clock, null, null, source, 0);
    }

    public boolean isTick() {
        return event == null;
    }
}
