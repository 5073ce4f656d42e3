package io.asyncwatch.serde;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.avro.AvroMapper;
import com.fasterxml.jackson.dataformat.avro.AvroSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;

/**
 * Avro binary in the Confluent wire format: magic byte 0, the 4-byte big-endian schema id, then the Avro body.
 * The schema is the project's own {@code schemas/*.avsc}; records are read with it as the writer schema, so
 * producers must write the contract schema, registered under the id given in the configuration: a record carrying
 * another id is rejected rather than decoded with the wrong schema.
 */
public final class AvroCodec<T> implements Codec<T> {

    private static final byte MAGIC = 0;
    private static final int HEADER = 5;

    private final Class<T> type;
    private final Schema schema;
    private final int schemaId;
    private final ObjectReader reader;
    private final ObjectWriter writer;

    public AvroCodec(Class<T> type, String schemaResource, int schemaId) {
        this.type = type;
        this.schema = loadSchema(schemaResource);
        this.schemaId = schemaId;
        AvroMapper mapper = AvroMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
        AvroSchema avroSchema = new AvroSchema(schema);
        this.reader = mapper.readerFor(type).with(avroSchema);
        this.writer = mapper.writerFor(type).with(avroSchema);
    }

    public static Schema loadSchema(String resource) {
        try (InputStream in = AvroCodec.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema " + resource + " is not on the classpath");
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema " + resource, e);
        }
    }

    public Schema schema() {
        return schema;
    }

    @Override
    public byte[] encode(T value) {
        try {
            byte[] body = writer.writeValueAsBytes(value);
            return ByteBuffer.allocate(HEADER + body.length).put(MAGIC).putInt(schemaId).put(body).array();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + type.getSimpleName() + " as Avro: " + e.getMessage(), e);
        }
    }

    @Override
    public T decode(byte[] bytes) throws DecodeException {
        if (bytes.length < HEADER || bytes[0] != MAGIC) {
            throw new DecodeException("not Confluent-framed Avro (expected magic byte 0 and a 4-byte schema id)");
        }
        int writerId = ByteBuffer.wrap(bytes, 1, 4).getInt();
        if (writerId != schemaId) {
            // Without a registry client we can only read what was written with the contract schema.
            throw new DecodeException("written with schema id " + writerId + ", but " + schema.getName()
                    + " is configured as schema id " + schemaId + " (asyncwatch.avro.schema-id.*)");
        }
        try {
            T value = reader.readValue(bytes, HEADER, bytes.length - HEADER);
            if (value == null) {
                throw new DecodeException("empty Avro body");
            }
            return value;
        } catch (IOException | RuntimeException e) {
            throw new DecodeException("not a valid Avro " + schema.getName() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "Avro " + schema.getFullName() + " (schema id " + schemaId + ")";
    }
}
