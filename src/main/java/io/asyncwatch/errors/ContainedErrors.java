package io.asyncwatch.errors;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.ingest.Texts;
import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.serde.Codec;
import io.asyncwatch.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exception inside one processor for one record (a detector bug, an input nobody foresaw) is contained: the
 * record goes to the dead-letter topic with the processor and the exception as its reason, and processing goes
 * on. Without this, Kafka Streams' default stops the whole application on the first such record.
 */
public final class ContainedErrors implements ProcessingExceptionHandler {

    /** Handler settings passed in the Streams properties; not asyncwatch settings a user sets. */
    static final String DLQ_TOPIC = "asyncwatch-internal.dlq.topic";
    static final String OUTPUT_FORMAT = "asyncwatch-internal.output.format";
    static final String SCHEMA_ID = "asyncwatch-internal.dlq.schema-id";
    private static final Logger LOG = LoggerFactory.getLogger(ContainedErrors.class);

    private String dlqTopic;
    private Codec<DeadLetter> codec;

    /** The Streams properties that install this handler for {@code config}. */
    public static Properties properties(AsyncwatchConfig config) {
        Properties p = new Properties();
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, ContainedErrors.class.getName());
        p.put(DLQ_TOPIC, config.topics().dlq());
        p.put(OUTPUT_FORMAT, config.outputFormat().name());
        p.put(SCHEMA_ID, Integer.toString(config.avroSchemaIds().deadLetter()));
        return p;
    }

    @Override
    public void configure(Map<String, ?> configs) {
        dlqTopic = String.valueOf(configs.get(DLQ_TOPIC));
        AsyncwatchConfig.Format format = AsyncwatchConfig.Format.valueOf(String.valueOf(configs.get(OUTPUT_FORMAT)));
        codec = Topics.codec(format, DeadLetter.class, "schemas/dead-letter.avsc",
                Integer.parseInt(String.valueOf(configs.get(SCHEMA_ID))));
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        String reason = context.processorNodeId() + ": internal error, record skipped: " + exception;
        LOG.warn("{} (task {}, {}-{}@{})", reason, context.taskId(), context.topic(), context.partition(),
                context.offset(), exception);
        byte[] rawKey = context.sourceRawKey();
        byte[] rawValue = context.sourceRawValue();
        String key = rawKey == null ? null : new String(rawKey, StandardCharsets.UTF_8);
        // In a punctuation there is no source record: no topic, partition -1, offset -1.
        String source = context.topic() != null ? context.topic() : "(punctuation of " + context.processorNodeId() + ")";
        DeadLetter letter = new DeadLetter(source, context.partition() >= 0 ? context.partition() : null,
                context.offset() >= 0 ? context.offset() : null, context.timestamp() >= 0 ? context.timestamp() : null,
                key, rawValue, Texts.text(rawValue), reason);
        return Response.resume(List.of(new ProducerRecord<>(dlqTopic, null, context.timestamp() < 0 ? null
                : context.timestamp(), rawKey, codec.encode(letter))));
    }
}
