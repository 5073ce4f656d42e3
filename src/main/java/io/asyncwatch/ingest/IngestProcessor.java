package io.asyncwatch.ingest;

import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.serde.DecodeException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Decodes and validates one input record. A good event goes on keyed by its subject with its event time as the
 * record timestamp; anything else becomes a {@link DeadLetter} carrying the original bytes and coordinates.
 * Nothing here may throw for any input: that is what keeps one bad producer from stopping the application.
 */
final class IngestProcessor<T> implements Processor<String, byte[], String, Ingested<T>> {

    private static final int MAX_TEXT_CHARS = 4096;

    private final EventType<T> type;
    private final long maxSkewMs;
    private ProcessorContext<String, Ingested<T>> context;

    IngestProcessor(EventType<T> type, long maxSkewMs) {
        this.type = type;
        this.maxSkewMs = maxSkewMs;
    }

    @Override
    public void init(ProcessorContext<String, Ingested<T>> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String problem;
        T event = null;
        if (record.value() == null) {
            problem = "null value (tombstone): an event is required";
        } else {
            try {
                event = type.codec().decode(record.value());
                problem = type.validator().apply(event);
            } catch (DecodeException e) {
                problem = e.getMessage();
            } catch (RuntimeException e) {
                problem = "unexpected error while decoding: " + e;
            }
        }
        if (problem != null) {
            context.forward(record.withValue(new Ingested<>(null, deadLetter(record, problem))));
            return;
        }
        long eventTime = EventTime.effective(type.timestamp().apply(event), record.timestamp(), maxSkewMs);
        Record<String, Ingested<T>> valid = record.withKey(type.key().apply(event))
                .withValue(new Ingested<>(event, null))
                .withTimestamp(eventTime);
        Optional<Origin> origin = Origin.of(context.recordMetadata().orElse(null));
        context.forward(origin.isPresent() ? valid.withHeaders(origin.get().stamp(record.headers())) : valid);
    }

    private DeadLetter deadLetter(Record<String, byte[]> record, String reason) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        return new DeadLetter(
                meta != null ? meta.topic() : type.logicalName(),
                meta != null ? meta.partition() : null,
                meta != null ? meta.offset() : null,
                record.timestamp(),
                record.key(),
                record.value(),
                text(record.value()),
                type.logicalName() + ": " + reason);
    }

    /** The payload as text when it is UTF-8, so a person can read the DLQ without decoding base64. */
    static String text(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value)).toString();
            return s.length() > MAX_TEXT_CHARS ? s.substring(0, MAX_TEXT_CHARS) + "…" : s;
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
