package io.asyncwatch.serde;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.asyncwatch.model.RequestEvent;
import java.io.IOException;
import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;

/** JSON via {@link Json#MAPPER}, with rejection reasons an operator can act on. */
public final class JsonCodec<T> implements Codec<T> {

    private final Class<T> type;
    private final ObjectReader reader;
    /** Reads the common plain shape without data binding, or returns null (then data binding decides). */
    private final Function<JsonParser, ? extends T> plain;
    /** The requests' names, one instance each across events. */
    private final SharedStrings names = new SharedStrings();

    public JsonCodec(Class<T> type) {
        this.type = type;
        this.reader = Json.MAPPER.readerFor(type).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.plain = type == RequestEvent.class ? p -> type.cast(RequestJsonReader.read(p)) : null;
    }

    @Override
    public byte[] encode(T value) {
        return Json.write(value);
    }

    @Override
    public T decode(byte[] bytes) throws DecodeException {
        if (bytes.length == 0) {
            throw new DecodeException("empty payload");
        }
        int first = firstNonBlank(bytes);
        if (first < 0 || bytes[first] != '{') {
            throw new DecodeException("not a JSON object");
        }
        if (type == RequestEvent.class) {
            // Straight from the bytes when the payload has the common shape; else the parser, then data binding.
            RequestEvent e = RequestBytesReader.read(bytes, names);
            if (e != null) {
                return type.cast(e);
            }
        }
        if (plain != null) {
            try (JsonParser parser = reader.createParser(bytes)) {
                T value = plain.apply(parser);
                if (value != null) {
                    return value;
                }
            } catch (IOException e) {
                // not even a parser: data binding below reports why
            }
        }
        return bind(bytes);
    }

    /** Data binding, with the rejection reasons; the plain-shape reader must agree with it. */
    T bind(byte[] bytes) throws DecodeException {
        // Trailing data is checked by hand: Jackson's own check reports it as a type mismatch of the whole value
        // ("wrong type (expected RequestEvent)"), which sends an operator looking for the wrong problem.
        try (JsonParser parser = reader.createParser(bytes)) {
            T value = reader.readValue(parser);
            if (value == null) {
                throw new DecodeException("not a JSON object");
            }
            JsonToken trailing;
            try {
                trailing = parser.nextToken();
            } catch (JsonProcessingException e) {
                throw new DecodeException("trailing data after the JSON object: " + firstLine(e.getOriginalMessage()), e);
            }
            if (trailing != null) {
                throw new DecodeException("trailing data after the JSON object, starting with '" + parser.getText() + "'");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new DecodeException(reason(e), e);
        } catch (IOException e) {
            throw new DecodeException("unreadable payload: " + e.getMessage(), e);
        }
    }

    private static int firstNonBlank(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (!Character.isWhitespace(bytes[i])) {
                return i;
            }
        }
        return -1;
    }

    private String reason(JsonProcessingException e) {
        if (e instanceof InvalidFormatException ife && ife.getTargetType() != null && ife.getTargetType().isEnum()) {
            String allowed = Arrays.stream(ife.getTargetType().getEnumConstants())
                    .map(Object::toString).collect(Collectors.joining(", "));
            return field(ife) + "unknown value " + quote(ife.getValue()) + " (expected one of " + allowed + ")";
        }
        if (e instanceof MismatchedInputException mie) {
            String expected = mie.getTargetType() == null ? "another type" : simpleType(mie.getTargetType());
            return field(mie) + "wrong type (expected " + expected + ")";
        }
        if (e instanceof JsonMappingException jme && jme.getCause() instanceof InputCoercionException ice) {
            return field(jme) + "number out of range (" + firstLine(ice.getOriginalMessage()) + ")";
        }
        if (e instanceof InputCoercionException ice) {
            return "number out of range: " + firstLine(ice.getOriginalMessage());
        }
        if (e instanceof JsonMappingException jme) {
            return field(jme) + firstLine(jme.getOriginalMessage());
        }
        return "not valid JSON: " + firstLine(e.getOriginalMessage());
    }

    private static String field(JsonMappingException e) {
        String path = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
        return path.isEmpty() ? "" : "field '" + path + "': ";
    }

    private static String simpleType(Class<?> c) {
        if (c == Integer.class || c == int.class) return "integer";
        if (c == Long.class || c == long.class) return "integer";
        if (c == Double.class || c == double.class) return "number";
        if (c == Boolean.class || c == boolean.class) return "boolean";
        if (c == String.class) return "string";
        if (java.util.Map.class.isAssignableFrom(c)) return "object";
        if (java.util.Collection.class.isAssignableFrom(c)) return "array";
        return c.getSimpleName();
    }

    private static String quote(Object v) {
        return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public String toString() {
        return "JSON " + type.getSimpleName();
    }
}
