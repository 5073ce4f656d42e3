package io.asyncwatch.detect.causality;

import io.asyncwatch.config.Section;
import io.asyncwatch.config.SettingsSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code asyncwatch.causality.*}.
 *
 * @param horizonMs         a cause and its effect are matched when both arrive within this span of event time of the
 *                          first of them; an effect whose cause has not arrived by then counts as missing its cause
 * @param toleranceMs       an effect stamped this much before its cause is still accepted (0: any amount is reported)
 * @param windowMs          violations and missing causes are counted per window (metrics, findings)
 * @param pageGapMs         a pair whose effect is stamped this much or more before its cause pages (the seeds' PAGE
 *                          clock offset); smaller gaps and logical-clock violations raise ALERT
 * @param missingShare      share of a node's effects whose cause never arrived above which a WARN is raised
 * @param missingMinEffects effects of a node in a window below which the missing share is not judged
 * @param maxLinks          links (event ids, spans) remembered per task within the horizon; beyond it events are not
 *                          matched, counted and logged
 * @param maxPendingEffects effects waiting for one cause; further ones are counted as unchecked
 * @param businessOrder     operations that must happen in this order on one entity ({@code create>update>delete;
 *                          order>pay}): requests with an {@code entity} and one of these operations are re-keyed by
 *                          entity and each pair judged; empty: none
 * @param maxCauses         causes kept in memory per input task (about 200 bytes each): the causes of
 *                          {@code 2 × horizon-ms} plus the grace of event time must fit, or the newest are left out,
 *                          counted and logged (effects naming them then count as missing their cause)
 */
public record CausalitySettings(long horizonMs, long toleranceMs, long windowMs, long pageGapMs, double missingShare,
                                long missingMinEffects, long maxLinks, long maxPendingEffects,
                                long maxCauses, BusinessOrder businessOrder) {

    public static final String SECTION = "causality";

    public static final SettingsSpec<CausalitySettings> SPEC = SettingsSpec.of(SECTION, defaultValues(),
            s -> new CausalitySettings(s.longValue("horizon-ms"), s.longValue("tolerance-ms"),
                    s.longValue("window-ms"), s.longValue("page-gap-ms"), s.number("missing-share"),
                    s.longValue("missing-min-effects"), s.longValue("max-links"),
                    s.longValue("max-pending-effects"), s.longValue("max-causes"),
                    businessOrder(s.optionalText("business-order"))));

    private static BusinessOrder businessOrder(String spec) {
        try {
            return BusinessOrder.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("asyncwatch.causality.business-order: " + e.getMessage()
                    + " (expected sequences like create>update>delete;order>pay)", e);
        }
    }

    private static Map<String, String> defaultValues() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("horizon-ms", "60000");
        d.put("tolerance-ms", "0");
        d.put("window-ms", "60000");
        d.put("page-gap-ms", "500");
        d.put("missing-share", "0.05");
        d.put("missing-min-effects", "20");
        d.put("max-links", "1000000");
        d.put("max-pending-effects", "64");
        d.put("max-causes", "1000000");
        d.put("business-order", "create>update>delete;order>pay");
        return d;
    }

    public CausalitySettings {
        Section.require(horizonMs > 0, SECTION, "horizon-ms must be positive, got " + horizonMs);
        Section.require(toleranceMs >= 0, SECTION, "tolerance-ms must be 0 or more, got " + toleranceMs);
        Section.require(windowMs > 0, SECTION, "window-ms must be positive, got " + windowMs);
        Section.require(pageGapMs > 0, SECTION, "page-gap-ms must be positive, got " + pageGapMs);
        Section.require(missingShare >= 0 && missingShare <= 1, SECTION,
                "missing-share must be between 0 and 1, got " + missingShare);
        Section.require(missingMinEffects >= 1, SECTION, "missing-min-effects must be at least 1, got "
                + missingMinEffects);
        Section.require(maxLinks >= 1, SECTION, "max-links must be at least 1, got " + maxLinks);
        Section.require(maxPendingEffects >= 1, SECTION, "max-pending-effects must be at least 1, got "
                + maxPendingEffects);
        Section.require(maxCauses >= 1, SECTION, "max-causes must be at least 1, got " + maxCauses);
    }
}
