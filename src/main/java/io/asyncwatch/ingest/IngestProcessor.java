package io.asyncwatch.ingest;

import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.serde.Bin;
import io.asyncwatch.serde.DecodeException;
import io.asyncwatch.state.TaskStore;
import io.asyncwatch.time.EventClock;
import io.asyncwatch.time.EventTimeSettings;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Decodes, validates and times one input record. A good event goes on keyed by its subject with its event time
 * as the record timestamp, once its partition's {@link EventClock} accepts it; anything else becomes a
 * {@link DeadLetter} carrying the original bytes and coordinates. Nothing here may throw for any input: that is
 * what keeps one bad producer from stopping the application.
 *
 * <p>Events the clock holds (too far ahead, waiting for the stream to confirm a jump) are kept in this task's
 * store with their original bytes and coordinates, so a crash loses none of them.
 */
final class IngestProcessor<T> implements Processor<String, byte[], String, Ingested<T>> {

    static final Duration TICK = Duration.ofSeconds(1);
    private static final long PERSIST_EVERY_MS = 1_000;
    private static final int HELD_VERSION = 1;

    private final EventType<T> type;
    private final EventTimeSettings time;
    private final String storeName;
    private final String eventsChild;
    private final String deadLettersChild;
    private ProcessorContext<String, Ingested<T>> context;
    private TaskStore store;
    private EventClock clock;
    private long persistedNow = EventClock.NONE;

    /**
     * @param eventsChild      the child node that gets accepted events and ticks
     * @param deadLettersChild the child node that gets dead letters
     */
    IngestProcessor(EventType<T> type, EventTimeSettings time, String storeName, String eventsChild,
                    String deadLettersChild) {
        this.type = type;
        this.time = time;
        this.storeName = storeName;
        this.eventsChild = eventsChild;
        this.deadLettersChild = deadLettersChild;
    }

    @Override
    public void init(ProcessorContext<String, Ingested<T>> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(storeName));
        this.clock = EventClock.fromBytes(store.meta("clock"), time);
        this.persistedNow = clock.now();
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    /** An input record as it arrived: what a held event must keep to be processed (or dead-lettered) later. */
    private record Raw(String key, byte[] value, long timestamp, String topic, Integer partition, Long offset) {
        byte[] toBytes() {
            return Bin.writer().u8(HELD_VERSION).str(key).bytes(value).varlong(timestamp).str(topic)
                    .varlong(partition == null ? -1 : partition).varlong(offset == null ? -1 : offset).bytes();
        }

        static Raw fromBytes(byte[] b) {
            Bin.Reader r = Bin.versioned(b, HELD_VERSION, "held record");
            String key = r.str();
            byte[] value = r.bytes();
            long ts = r.varlong();
            String topic = r.str();
            long p = r.varlong();
            long o = r.varlong();
            return new Raw(key, value, ts, topic, p < 0 ? null : (int) p, o < 0 ? null : o);
        }

        Origin origin() {
            return topic == null || partition == null || offset == null ? null : new Origin(topic, partition, offset);
        }
    }

    @Override
    public void process(Record<String, byte[]> record) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        Raw raw = new Raw(record.key(), record.value(), record.timestamp(), meta != null ? meta.topic() : null,
                meta != null ? meta.partition() : null, meta != null ? meta.offset() : null);
        T event;
        try {
            event = decode(raw);
        } catch (Rejected r) {
            forwardDead(raw, deadLetter(raw, r.getMessage()));
            return;
        }
        long eventTime = type.eventTime(event, raw.timestamp(), time.maxSkewMs());
        EventClock.Step step = clock.offer(eventTime, context.currentSystemTimeMs());
        if (step.held()) {
            store.put(heldKey(step.seq()), raw.toBytes());
        }
        if (step.accepted()) {
            forward(raw, event, eventTime);
        }
        settle(step, raw, event, eventTime);
        // While events are held the clock is persisted with every event (its counts decide their fate); otherwise
        // its progress every second: a restart that finds it a second behind holds nothing it would not have.
        if (clock.heldCount() > 0 || step.release().length > 0 || step.quarantine().length > 0
                || persistedNow == EventClock.NONE || clock.now() - persistedNow >= PERSIST_EVERY_MS) {
            store.putMeta("clock", clock.toBytes());
            persistedNow = clock.now();
        }
    }

    private void tick(long wall) {
        boolean starting = !clock.started();
        long before = clock.now();
        EventClock.Step step = clock.tick(wall);
        settle(step, null, null, 0);
        if (starting && clock.started()) {
            // Started by silence: the released events went through at the starting clock; now let silence act.
            settle(clock.tick(wall), null, null, 0);
        }
        if (clock.now() != before || step.release().length > 0 || step.quarantine().length > 0) {
            store.putMeta("clock", clock.toBytes());
            persistedNow = clock.now();
        }
        // Every second, moved or not: stages after a re-key wait for the slowest partition, and a flush of
        // pending counts rides on each tick.
        // Named by input partition, which a topology change does not renumber. Before its clock has started the
        // partition still ticks, so those stages know it exists and wait for it (see EventClock.unstartedTick).
        String source = type.logicalName() + ":" + context.taskId().partition();
        boolean started = clock.started();
        long at = started ? clock.now() : clock.unstartedTick(wall);
        context.forward(new Record<>("", new Ingested<>(Accepted.<T>tick(source, at), null),
                started ? at : wall), eventsChild);
    }

    /** Processes released held events in arrival order and dead-letters quarantined ones. */
    private void settle(EventClock.Step step, Raw current, T currentEvent, long currentTime) {
        for (long seq : step.release()) {
            if (seq == step.seq() && current != null) {
                forward(current, currentEvent, currentTime);
                continue;
            }
            Raw held = takeHeld(seq);
            if (held != null) {
                try {
                    T e = decode(held);
                    forward(held, e, type.eventTime(e, held.timestamp(), time.maxSkewMs()));
                } catch (Rejected r) {
                    // Validated when it arrived; the same bytes cannot fail now.
                    forwardDead(held, deadLetter(held, r.getMessage()));
                }
            }
        }
        for (long seq : step.quarantine()) {
            Raw held = takeHeld(seq);
            if (held == null) {
                continue;
            }
            long heldTime;
            try {
                T e = decode(held);
                heldTime = type.eventTime(e, held.timestamp(), time.maxSkewMs());
            } catch (Rejected r) {
                heldTime = held.timestamp();
            }
            String reason = "timestamp " + Texts.distance(heldTime - clock.now())
                    + " ahead of the stream (partition clock " + Instant.ofEpochMilli(clock.now()) + ", event time " + Instant.ofEpochMilli(heldTime)
                    + "): held, but " + (step.seq() < 0 ? "the partition went quiet" : "the rest of the stream stayed")
                    + " before " + time.confirmEvents() + " events confirmed a jump; quarantined as a clock outlier";
            forwardDead(held, deadLetter(held, reason));
        }
    }

    private Raw takeHeld(long seq) {
        byte[] b = store.get(heldKey(seq));
        if (b == null) {
            return null;
        }
        store.delete(heldKey(seq));
        return Raw.fromBytes(b);
    }

    private static String heldKey(long seq) {
        return "held:" + seq;
    }

    private void forward(Raw raw, T event, long eventTime) {
        Origin origin = raw.origin();
        context.forward(new Record<>(type.key().apply(event),
                new Ingested<>(new Accepted<>(event, clock.now(), origin, raw.value(), null, raw.timestamp()), null),
                eventTime), eventsChild);
    }

    private void forwardDead(Raw raw, DeadLetter deadLetter) {
        context.forward(new Record<>(raw.key(), new Ingested<>(null, deadLetter), raw.timestamp()), deadLettersChild);
    }

    private static final class Rejected extends Exception {
        Rejected(String reason) {
            super(reason, null, false, false);
        }
    }

    private T decode(Raw raw) throws Rejected {
        if (raw.value() == null) {
            throw new Rejected("null value (tombstone): an event is required");
        }
        try {
            T event = type.codec().decode(raw.value());
            String problem = type.validator().apply(event);
            if (problem != null) {
                throw new Rejected(problem);
            }
            return event;
        } catch (DecodeException e) {
            throw new Rejected(e.getMessage());
        } catch (RuntimeException e) {
            throw new Rejected("unexpected error while decoding: " + e);
        }
    }

    private DeadLetter deadLetter(Raw raw, String reason) {
        return new DeadLetter(raw.topic() != null ? raw.topic() : type.logicalName(), raw.partition(), raw.offset(),
                raw.timestamp(), raw.key(), raw.value(), Texts.text(raw.value()), type.logicalName() + ": " + reason);
    }
}
