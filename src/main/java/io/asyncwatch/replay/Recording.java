package io.asyncwatch.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.serde.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * One line of a recording (JSON Lines, see the event contract): a Kafka record as it was appended.
 * {@code value} is kept as raw bytes so that bad input is replayed byte for byte.
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
        byte[] bytes;
        if (value == null || value.isNull()) {
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
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("topic", topic);
        n.put("timestamp", timestamp);
        if (key == null) {
            n.putNull("key");
        } else {
            n.put("key", key);
        }
        n.set("value", Json.MAPPER.valueToTree(event));
        return Json.writeString(n);
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
