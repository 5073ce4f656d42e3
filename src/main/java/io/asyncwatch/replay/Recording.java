package io.asyncwatch.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.serde.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * One line of a recording (JSON Lines, see the event contract): a Kafka record as it was appended.
 * {@code value} is kept as raw bytes so that bad input is replayed byte for byte. Besides the contract's fields a line
 * may carry {@code valueBase64} (an optional field of ours) instead of {@code value}: the payload's bytes when they are
 * not UTF-8 text (Avro, garbage), which a JSON string cannot hold exactly.
 */
public record Recording(String topic, long timestamp, String key, byte[] value) {

    /** Parses one line; the exception message says what is wrong with it. */
    public static Recording parse(String line) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(line);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a JSON object: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode topic = node.get("topic");
        if (topic == null || !topic.isTextual()) {
            throw new IllegalArgumentException("missing \"topic\" (requests, heartbeats or clocks)");
        }
        JsonNode ts = node.get("timestamp");
        if (ts == null || !ts.canConvertToLong() || !ts.isIntegralNumber()) {
            throw new IllegalArgumentException("missing or non-integer \"timestamp\"");
        }
        JsonNode key = node.get("key");
        JsonNode value = node.get("value");
        JsonNode base64 = node.get("valueBase64");
        byte[] bytes;
        if (base64 != null && !base64.isNull()) {
            if (!base64.isTextual()) {
                throw new IllegalArgumentException("\"valueBase64\" must be a string");
            }
            try {
                bytes = Base64.getDecoder().decode(base64.textValue());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("\"valueBase64\" is not base64: " + e.getMessage(), e);
            }
        } else if (value == null || value.isNull()) {
            bytes = null;
        } else if (value.isTextual()) {
            bytes = value.textValue().getBytes(StandardCharsets.UTF_8);
        } else {
            bytes = Json.write(value);
        }
        return new Recording(topic.textValue(), ts.longValue(), key == null || key.isNull() ? null : key.asText(),
                bytes);
    }

    /** Writes the line for an event object (the shape {@code record} produces and {@code replay} reads). */
    public static String line(String topic, long timestamp, String key, Object event) {
        ObjectNode n = header(topic, timestamp, key);
        n.set("value", Json.MAPPER.valueToTree(event));
        return Json.writeString(n);
    }

    private static ObjectNode header(String topic, long timestamp, String key) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("topic", topic);
        n.put("timestamp", timestamp);
        if (key == null) {
            n.putNull("key");
        } else {
            n.put("key", key);
        }
        return n;
    }

    /**
     * The line for a record as read from a topic: the event object when the payload is a JSON object that this line
     * reproduces byte for byte, else the payload as a string when it is UTF-8 text, else its bytes in base64; null for
     * a tombstone. Replaying the line hands the topology the same bytes.
     */
    public static String rawLine(String topic, long timestamp, String key, byte[] value) {
        ObjectNode n = header(topic, timestamp, key);
        if (value == null) {
            n.putNull("value");
        } else {
            JsonNode parsed = asObject(value);
            if (parsed != null) {
                n.set("value", parsed);
            } else {
                String text = utf8(value);
                if (text != null) {
                    n.put("value", text);
                } else {
                    n.put("valueBase64", Base64.getEncoder().encodeToString(value));
                }
            }
        }
        return Json.writeString(n);
    }

    /** The payload as a JSON object, only when writing that object gives back exactly these bytes. */
    private static JsonNode asObject(byte[] value) {
        if (value.length == 0 || value[0] != '{') {
            return null;
        }
        try {
            JsonNode tree = Json.MAPPER.readTree(value);
            return tree != null && tree.isObject() && java.util.Arrays.equals(Json.write(tree), value) ? tree : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String utf8(byte[] value) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(value)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    /** Maps the logical name (requests, heartbeats, clocks) or a configured full name to the full topic name. */
    public static String resolveTopic(String topic, AsyncwatchConfig.TopicNames names) {
        return switch (topic) {
            case "requests" -> names.requests();
            case "heartbeats" -> names.heartbeats();
            case "clocks" -> names.clocks();
            default -> {
                if (topic.equals(names.requests()) || topic.equals(names.heartbeats())
                        || topic.equals(names.clocks())) {
                    yield topic;
                }
                throw new IllegalArgumentException("unknown topic \"" + topic
                        + "\" (expected requests, heartbeats, clocks or their configured names)");
            }
        };
    }
}
