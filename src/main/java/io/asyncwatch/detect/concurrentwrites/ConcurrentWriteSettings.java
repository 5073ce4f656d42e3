package io.asyncwatch.detect.concurrentwrites;

import io.asyncwatch.config.Section;
import io.asyncwatch.config.SettingsSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code asyncwatch.concurrent-write.*}.
 *
 * @param horizonMs          two writes of one entity with vector clocks are compared when this close in event time;
 *                           an entity is forgotten this long (plus the grace) after its latest write
 * @param windowMs           conflicts are counted per window (metrics, findings)
 * @param sameSecond         judge writes without vector clocks by the seeds' query (different nodes within one
 *                           second: a possible conflict, WARN); false: such writes are never compared
 * @param maxEntities        entities tracked per task; writes of further ones are not checked, counted and logged
 * @param maxWrites          writes kept per entity (its frontier); when full the oldest superseded, else the oldest,
 *                           is dropped and counted
 * @param maxAlertedEntities entities with a finding of their own per window, the most conflicted first; the others
 *                           are counted in the window's metric
 * @param resolution         how conflicts are resolved per entity type ({@code Counter=crdt;Session=lww;*=manual}),
 *                           said in the alert and the standup
 */
public record ConcurrentWriteSettings(long horizonMs, long windowMs, boolean sameSecond, long maxEntities,
                                      int maxWrites, int maxAlertedEntities, Resolutions resolution) {

    public static final String SECTION = "concurrent-write";

    public static final SettingsSpec<ConcurrentWriteSettings> SPEC = SettingsSpec.of(SECTION, defaultValues(),
            s -> new ConcurrentWriteSettings(s.longValue("horizon-ms"), s.longValue("window-ms"),
                    s.bool("same-second"), s.longValue("max-entities"), s.integer("max-writes-per-entity"),
                    s.integer("max-alerted-entities"), resolutions(s.optionalText("resolution"))));

    private static Resolutions resolutions(String spec) {
        try {
            return Resolutions.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("asyncwatch.concurrent-write.resolution: " + e.getMessage()
                    + " (expected entries like Counter=crdt;Session=lww;*=manual)", e);
        }
    }

    private static Map<String, String> defaultValues() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("horizon-ms", "60000");
        d.put("window-ms", "60000");
        d.put("same-second", "true");
        d.put("max-entities", "1000000");
        d.put("max-writes-per-entity", "64");
        d.put("max-alerted-entities", "20");
        d.put("resolution", "*=manual");
        return d;
    }

    public ConcurrentWriteSettings {
        Section.require(horizonMs >= WriteFrontier.SAME_SECOND_MS, SECTION,
                "horizon-ms must be at least 1000, got " + horizonMs);
        Section.require(windowMs > 0, SECTION, "window-ms must be positive, got " + windowMs);
        Section.require(maxEntities >= 1, SECTION, "max-entities must be at least 1, got " + maxEntities);
        Section.require(maxWrites >= 2, SECTION, "max-writes-per-entity must be at least 2, got " + maxWrites);
        Section.require(maxAlertedEntities >= 1, SECTION, "max-alerted-entities must be at least 1, got "
                + maxAlertedEntities);
    }
}
