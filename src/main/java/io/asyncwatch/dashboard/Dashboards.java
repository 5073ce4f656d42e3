package io.asyncwatch.dashboard;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Small shared formatting for the dashboard's panels. */
final class Dashboards {

    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneOffset.UTC);

    private Dashboards() {
    }

    static String minute(long t) {
        return MINUTE.format(Instant.ofEpochMilli(t));
    }
}
