package io.asyncwatch.testing;

import io.asyncwatch.model.Kind;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.Status;
import java.util.ArrayList;
import java.util.List;

/** Builds request events for tests; ids are derived from a counter so runs are reproducible. */
public final class Requests {

    /** 2023-11-14T22:13:20Z: every test's clock starts here, never at now(). */
    public static final long T0 = 1_700_000_000_000L - 1_700_000_000_000L % 3_600_000L;
    public static final long MINUTE = 60_000L;

    private long next;

    public RequestEvent attempt(String service, String layer, long timestamp, int attempt) {
        return attempt(service, layer, timestamp, attempt, attempt > 1 ? Status.TIMEOUT : Status.SUCCESS);
    }

    public RequestEvent attempt(String service, String layer, long timestamp, int attempt, Status status) {
        long id = next++;
        return new RequestEvent(service + "-" + String.format("%07d", id), timestamp, service, layer, service + "-0",
                null, "call", attempt, service + "-req-" + id, status,
                12.5, 1000L, null, null, null, null, Kind.CALL, null, null, null, null);
    }

    /**
     * One minute of traffic for one service: {@code attempts} events spread evenly over the minute starting at
     * {@code minuteStart}, of which the first {@code retries} (spread evenly too) are retries.
     */
    public List<RequestEvent> minute(String service, String layer, long minuteStart, int attempts, int retries) {
        List<RequestEvent> out = new ArrayList<>(attempts);
        for (int i = 0; i < attempts; i++) {
            long ts = minuteStart + (i * MINUTE) / attempts;
            boolean retry = retries > 0 && i % Math.max(1, attempts / retries) == 0
                    && out.stream().filter(RequestEvent::isRetry).count() < retries;
            out.add(attempt(service, layer, ts, retry ? 2 : 1));
        }
        return out;
    }
}
