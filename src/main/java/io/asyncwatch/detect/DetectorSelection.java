package io.asyncwatch.detect;

import io.asyncwatch.config.SettingsSpec;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Which detectors run: all by default. Switching one off removes its processors, stores and internal topics from
 * the topology (an operator who does not want its alerts, or a benchmark measuring what one costs); its alerts
 * already open stay as they are until it is switched on again.
 *
 * @param disabled detector names ({@link Detector#name()}) not to run
 */
public record DetectorSelection(Set<String> disabled) {

    public static final SettingsSpec<DetectorSelection> SPEC = SettingsSpec.of("detectors",
            Map.of("disabled", ""), s -> parse(s.optionalText("disabled")));

    public DetectorSelection {
        disabled = Set.copyOf(disabled);
    }

    static DetectorSelection parse(String list) {
        Set<String> names = list == null ? Set.of() : Arrays.stream(list.split(","))
                .map(String::trim).filter(n -> !n.isEmpty()).collect(Collectors.toCollection(TreeSet::new));
        Set<String> known = Detectors.all().stream().map(Detector::name).collect(Collectors.toCollection(TreeSet::new));
        for (String n : names) {
            if (!known.contains(n)) {
                throw new IllegalArgumentException("asyncwatch.detectors.disabled: no detector named '" + n
                        + "' (known: " + String.join(", ", known) + ")");
            }
        }
        if (names.size() == known.size()) {
            throw new IllegalArgumentException("asyncwatch.detectors.disabled: at least one detector must run");
        }
        return new DetectorSelection(names);
    }

    public boolean enabled(Detector d) {
        return !disabled.contains(d.name());
    }
}
