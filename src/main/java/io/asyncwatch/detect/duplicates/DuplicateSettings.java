package io.asyncwatch.detect.duplicates;

import io.asyncwatch.config.Section;
import io.asyncwatch.config.SettingsSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code asyncwatch.duplicate-operation.*}.
 *
 * @param horizonMs     a second SUCCESS WRITE for one requestId by one service counts within this span of the
 *                      first write of that requestId; request ids are forgotten after it
 * @param windowMs      duplicates are counted per service per window (metrics, findings)
 * @param pageCount     duplicated intents in one window of one service at which the alert pages
 * @param maxRequestIds request ids tracked per task, in memory (about 500 bytes each): a flood of distinct ids is
 *                      capped and the overflow reported
 * @param maxServices   services with duplicates in an open window, per task
 */
public record DuplicateSettings(long horizonMs, long windowMs, long pageCount, long maxRequestIds, long maxServices) {

    public static final SettingsSpec<DuplicateSettings> SPEC = SettingsSpec.of("duplicate-operation", defaultValues(),
            s -> new DuplicateSettings(
                    s.longValue("horizon-ms"), s.longValue("window-ms"), s.longValue("page-count"),
                    s.longValue("max-request-ids"), s.longValue("max-services")));

    private static Map<String, String> defaultValues() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("horizon-ms", "600000");
        d.put("window-ms", "60000");
        d.put("page-count", "10");
        d.put("max-request-ids", "400000");
        d.put("max-services", "10000");
        return d;
    }

    public DuplicateSettings {
        Section.require(horizonMs > 0, "duplicate-operation", "horizon-ms must be positive, got " + horizonMs);
        Section.require(windowMs > 0, "duplicate-operation", "window-ms must be positive, got " + windowMs);
        Section.require(pageCount >= 1, "duplicate-operation", "page-count must be at least 1, got " + pageCount);
        Section.require(maxRequestIds >= 1, "duplicate-operation", "max-request-ids must be at least 1, got "
                + maxRequestIds);
        Section.require(maxServices >= 1, "duplicate-operation", "max-services must be at least 1, got "
                + maxServices);
    }
}
