package io.asyncwatch.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Where an event entered asyncwatch (input topic, partition, offset), carried as a header through repartition
 * topics so that a detector that rejects it later (a late event) can still point at the original record.
 */
public record Origin(String topic, int partition, long offset) {

    public static final String HEADER = "asyncwatch.origin";

    /** A copy of {@code headers} with this origin set; the input record's own headers are left alone. */
    public Headers stamp(Headers headers) {
        RecordHeaders copy = new RecordHeaders(headers.toArray());
        copy.remove(HEADER);
        copy.add(HEADER, (partition + ":" + offset + ":" + topic).getBytes(StandardCharsets.UTF_8));
        return copy;
    }

    public static Optional<Origin> of(RecordMetadata meta) {
        return meta == null ? Optional.empty() : Optional.of(new Origin(meta.topic(), meta.partition(), meta.offset()));
    }

    public static Optional<Origin> of(Headers headers) {
        Header h = headers.lastHeader(HEADER);
        if (h == null || h.value() == null) {
            return Optional.empty();
        }
        String[] parts = new String(h.value(), StandardCharsets.UTF_8).split(":", 3);
        try {
            return parts.length == 3
                    ? Optional.of(new Origin(parts[2], Integer.parseInt(parts[0]), Long.parseLong(parts[1])))
                    : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
