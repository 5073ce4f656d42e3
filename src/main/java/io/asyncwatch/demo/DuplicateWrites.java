package io.asyncwatch.demo;

import io.asyncwatch.demo.TrafficGenerator.Generated;
import io.asyncwatch.demo.TrafficGenerator.Service;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Status;
import java.util.List;

/**
 * The seeds' "zombie transaction": in minutes {@code fromMinute..toMinute} (inclusive), {@code perMinute} write
 * intents of {@code service} time out at the client after the write was sent, and the client's second attempt
 * succeeds. The first write was only slow, not lost: it lands after the timeout, so {@code database} reports two
 * SUCCESS WRITEs for one requestId. The service itself reports one SUCCESS, after one TIMEOUT.
 * These intents stand in for normal traffic of both services, so volumes and retry shares do not change.
 */
public record DuplicateWrites(String service, String database, int fromMinute, int toMinute, int perMinute)
        implements Scenario {

    /** The late write lands 1..400 ms after the client gave up on it. */
    private static final int LANDS_WITHIN_MS = 400;
    private static final int BACKOFF_MIN_MS = 100;
    private static final int BACKOFF_SPREAD_MS = 200;
    private static final long SPAN_MS = RequestFactory.TIMEOUT_MS + BACKOFF_MIN_MS + BACKOFF_SPREAD_MS + 2;

    public DuplicateWrites {
        if (fromMinute > toMinute || perMinute < 0) {
            throw new IllegalArgumentException("duplicate writes need fromMinute <= toMinute and perMinute >= 0");
        }
    }

    @Override
    public void minute(Minute m) {
        if (m.index() < fromMinute || m.index() > toMinute) {
            return;
        }
        Service caller = m.service(service);
        Service db = m.service(database);
        RequestFactory f = m.requests();
        for (int i = 0; i < perMinute; i++) {
            String requestId = f.newRequestId(caller);
            String entity = f.newEntity(db);
            long t1 = m.start() + m.random().nextInt((int) (60_000 - SPAN_MS));
            long late = 1 + m.random().nextInt(LANDS_WITHIN_MS);
            long t2 = t1 + RequestFactory.TIMEOUT_MS + BACKOFF_MIN_MS + m.random().nextInt(BACKOFF_SPREAD_MS);
            double dbLatency = f.latencyMs();
            m.add(Generated.request(f.write(caller, t1, 1, requestId, entity, Status.TIMEOUT,
                    RequestFactory.TIMEOUT_MS)));
            // The database started the first write at once and committed it after the client had given up.
            m.add(Generated.request(f.write(db, t1 + 1, 1, requestId, entity, Status.SUCCESS,
                    RequestFactory.TIMEOUT_MS + late)));
            m.add(Generated.request(f.write(caller, t2, 2, requestId, entity, Status.SUCCESS,
                    Math.round((dbLatency + f.latencyMs()) * 100) / 100.0)));
            m.add(Generated.request(f.write(db, t2 + 1, 1, requestId, entity, Status.SUCCESS, dbLatency)));
            m.standIn(service, 1, 1);
            m.standIn(database, 2, 0);
        }
    }

    @Override
    public List<ExpectedEpisode> expectedEpisodes() {
        return List.of(ExpectedEpisode.of(AlertType.DUPLICATE_OPERATION, "service", database));
    }
}
