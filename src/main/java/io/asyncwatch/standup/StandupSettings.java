package io.asyncwatch.standup;

import io.asyncwatch.config.Section;
import io.asyncwatch.config.SettingsSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code asyncwatch.standup.*}: when summaries are published and what their answers are judged against.
 *
 * @param enabled          publish summaries on {@code asyncwatch.standup}
 * @param dailyHourUtc     the daily summary covers the period ending at this UTC hour (the morning standup)
 * @param periodMs         what one summary covers, ending at its boundary (the seeds' "last 24 hours")
 * @param rollingEveryMs   a rolling summary is published at every multiple of this in event time (0: none)
 * @param bucketMs         detector points are gathered per bucket of this length; divides an hour, the rolling
 *                         interval and the period
 * @param warmupMs         wall-clock time after the first upstream tick before the stage's clock starts: upstream tasks
 *                         that start later than this after the first one are not waited for (a warning says so)
 * @param settleMs         a summary is published once every detector's clock has passed its end by this much, so the
 *                         windows ending before it have been judged and published (window + grace of every detector
 *                         it reads, causality's horizon included)
 * @param retrySuccessWarn the retry-loops answer is ⚠ when fewer retries than this share succeed
 * @param trendMinMs       the skew trend is WORSENING or IMPROVING only if it moves the maximum by at least this much
 *                         over the period (and by a fifth of its mean)
 * @param top              entities, nodes and services named in an answer
 * @param maxTracked       entities, nodes and alert episodes kept per bucket; further ones are counted, not named
 */
public record StandupSettings(boolean enabled, int dailyHourUtc, long periodMs, long rollingEveryMs, long bucketMs,
                              long warmupMs, long settleMs, double retrySuccessWarn, double trendMinMs, int top, int maxTracked) {

    public static final String SECTION = "standup";
    static final long HOUR = 3_600_000L;

    public static final SettingsSpec<StandupSettings> SPEC = SettingsSpec.of(SECTION, defaultValues(),
            s -> new StandupSettings(s.bool("enabled"), s.integer("daily-hour-utc"), s.longValue("period-ms"),
                    s.longValue("rolling-every-ms"), s.longValue("bucket-ms"), s.longValue("warmup-ms"),
                    s.longValue("settle-ms"),
                    s.number("retry-success-warn"), s.number("trend-min-ms"), s.integer("top"),
                    s.integer("max-tracked")));

    private static Map<String, String> defaultValues() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("enabled", "true");
        d.put("daily-hour-utc", "8");
        d.put("period-ms", "86400000");
        d.put("rolling-every-ms", "3600000");
        d.put("bucket-ms", "600000");
        d.put("warmup-ms", "30000");
        d.put("settle-ms", "300000");
        d.put("retry-success-warn", "0.9");
        d.put("trend-min-ms", "10");
        d.put("top", "5");
        d.put("max-tracked", "1000");
        return d;
    }

    public StandupSettings {
        Section.require(dailyHourUtc >= 0 && dailyHourUtc <= 23, SECTION,
                "daily-hour-utc must be 0 to 23, got " + dailyHourUtc);
        Section.require(bucketMs >= 1_000 && HOUR % bucketMs == 0, SECTION,
                "bucket-ms must divide an hour (3600000) and be at least 1000, got " + bucketMs);
        Section.require(periodMs >= bucketMs && periodMs % bucketMs == 0, SECTION,
                "period-ms must be a multiple of bucket-ms (" + bucketMs + "), got " + periodMs);
        Section.require(periodMs <= 7 * 24 * HOUR, SECTION, "period-ms must be at most 7 days, got " + periodMs);
        Section.require(rollingEveryMs == 0 || (rollingEveryMs > 0 && rollingEveryMs % bucketMs == 0), SECTION,
                "rolling-every-ms must be 0 (no rolling summaries) or a multiple of bucket-ms (" + bucketMs + "), got "
                        + rollingEveryMs);
        Section.require(warmupMs >= 0, SECTION, "warmup-ms must not be negative, got " + warmupMs);
        Section.require(settleMs >= 0, SECTION, "settle-ms must not be negative, got " + settleMs);
        Section.require(retrySuccessWarn >= 0 && retrySuccessWarn <= 1, SECTION,
                "retry-success-warn must be a share from 0 to 1, got " + retrySuccessWarn);
        Section.require(trendMinMs >= 0, SECTION, "trend-min-ms must not be negative, got " + trendMinMs);
        Section.require(top >= 1 && top <= 100, SECTION, "top must be 1 to 100, got " + top);
        Section.require(maxTracked >= top, SECTION, "max-tracked must be at least top (" + top + "), got "
                + maxTracked);
    }

    /** Enabled, with a rolling summary every {@code everyMs} over buckets of {@code bucketMs}, published after
     * {@code settleMs}: the demo and {@code standup --recording}, whose event time is shorter than an hour. */
    public StandupSettings withRolling(long everyMs, long bucket, long settle) {
        return new StandupSettings(true, dailyHourUtc, periodMs, everyMs, bucket, warmupMs, settle, retrySuccessWarn,
                trendMinMs, top, maxTracked);
    }
}
