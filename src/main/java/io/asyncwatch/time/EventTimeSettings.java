package io.asyncwatch.time;

import io.asyncwatch.config.Section;
import io.asyncwatch.config.SettingsSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code asyncwatch.event-time.*}: how event time is established and how far a detector trusts it.
 *
 * @param maxSkewMs     payload vs record timestamp bound: beyond it the record timestamp is used
 * @param graceMs       how late an event may arrive and still count in its window
 * @param maxAheadMs    an event further ahead of its partition's clock is held until the stream confirms the
 *                      jump, else quarantined; must not exceed {@code graceMs}
 * @param confirmEvents events it takes to start a clock, confirm a jump, or refute one
 * @param idleMs        wall-clock silence after which a partition's clock follows the wall clock (allowance for
 *                      producer lag); also the silence that ends a held jump
 */
public record EventTimeSettings(long maxSkewMs, long graceMs, long maxAheadMs, int confirmEvents, long idleMs) {

    public static final SettingsSpec<EventTimeSettings> SPEC = SettingsSpec.of("event-time", defaultValues(),
            s -> new EventTimeSettings(
                    s.longValue("max-skew-ms"), s.longValue("grace-ms"), s.longValue("max-ahead-ms"),
                    s.integer("confirm-events"), s.longValue("idle-ms")));

    private static Map<String, String> defaultValues() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("max-skew-ms", "300000");
        d.put("grace-ms", "30000");
        d.put("max-ahead-ms", "30000");
        d.put("confirm-events", "20");
        d.put("idle-ms", "10000");
        return d;
    }

    public EventTimeSettings {
        Section.require(maxSkewMs > 0, "event-time", "max-skew-ms must be positive, got " + maxSkewMs);
        Section.require(graceMs >= 0, "event-time", "grace-ms must not be negative, got " + graceMs);
        Section.require(maxAheadMs > 0 && maxAheadMs <= Math.max(graceMs, 1), "event-time",
                "max-ahead-ms must be in (0, grace-ms], got " + maxAheadMs
                        + " (an accepted outlier further ahead than the grace would close windows early)");
        Section.require(confirmEvents >= 1 && confirmEvents <= 10_000, "event-time",
                "confirm-events must be in [1, 10000], got " + confirmEvents);
        Section.require(idleMs > 0 && idleMs < maxAheadMs, "event-time", "idle-ms must be in (0, max-ahead-ms), got "
                + idleMs + " (after a silence the next event arrives about idle-ms ahead of the clock)");
    }
}
