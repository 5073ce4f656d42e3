package io.asyncwatch.alert;

import com.fasterxml.jackson.core.type.TypeReference;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.serde.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The 3 AM playbook steps per alert type, from {@code playbooks.json} (taken from the seeds' playbooks). */
public final class Playbooks {

    public static final String RESOURCE = "playbooks.json";

    private final Map<AlertType, List<String>> steps;

    private Playbooks(Map<AlertType, List<String>> steps) {
        this.steps = steps;
    }

    public static Playbooks load() {
        try (InputStream in = Playbooks.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath");
            }
            Map<String, List<String>> raw = Json.MAPPER.readValue(in, new TypeReference<>() { });
            Map<AlertType, List<String>> steps = new EnumMap<>(AlertType.class);
            raw.forEach((type, list) -> steps.put(AlertType.valueOf(type), List.copyOf(list)));
            return new Playbooks(steps);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    public List<String> steps(AlertType type) {
        return steps.getOrDefault(type, List.of());
    }
}
