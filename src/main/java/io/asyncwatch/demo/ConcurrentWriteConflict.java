package io.asyncwatch.demo;

import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Kind;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The seeds' "Node B: [2,1,0] Write X=7, Concurrent!": in minutes {@code fromMinute..toMinute} (inclusive) three nodes
 * of {@code service} take turns writing {@code entity} every 10 s, each having seen the previous write (vector clocks
 * in order; node 2's wall clock runs 700 ms behind, which must not look like a conflict). At second 30 of the first
 * minute nodes 0 and 1 write without seeing each other; at second 30 of the last, all three do (a three-way
 * conflict); the next write merges them. Each write stands in for a normal first attempt, so volumes do not change.
 */
public record ConcurrentWriteConflict(String service, String entity, int fromMinute, int toMinute)
        implements Scenario {

    private static final long LAGGING_MS = 700;

    public ConcurrentWriteConflict {
        if (fromMinute >= toMinute) {
            throw new IllegalArgumentException("concurrent writes need two minutes or more: fromMinute < toMinute");
        }
    }

    /** One write of the scenario: its minute, offset in it, node index and vector clock. */
    record Write(int minute, long offsetMs, int node, Map<String, Long> clock) {
    }

    /** Every write of the scenario, in order: the same whatever minute asks. */
    List<Write> writes() {
        List<Write> out = new ArrayList<>();
        long[] seen = new long[3];
        int turn = 0;
        for (int minute = fromMinute; minute <= toMinute; minute++) {
            for (long offset = 0; offset < 60_000; offset += 10_000) {
                if (offset == 30_000 && (minute == fromMinute || minute == toMinute)) {
                    // Concurrent: each writer starts from the same knowledge and does not see the others' writes.
                    int writers = minute == toMinute ? 3 : 2;
                    long[] merged = seen.clone();
                    for (int n = 0; n < writers; n++) {
                        long[] mine = seen.clone();
                        mine[n]++;
                        merged[n] = mine[n];
                        out.add(new Write(minute, offset + n * 150L, n, clock(mine)));
                    }
                    seen = merged;
                    continue;
                }
                int n = turn++ % 3;
                seen[n]++;
                out.add(new Write(minute, offset + 2_000, n, clock(seen)));
            }
        }
        return out;
    }

    private Map<String, Long> clock(long[] c) {
        Map<String, Long> out = new TreeMap<>();
        for (int n = 0; n < c.length; n++) {
            if (c[n] > 0) {
                out.put(service + "-" + n, c[n]);
            }
        }
        return out;
    }

    @Override
    public void minute(Minute m) {
        if (m.index() < fromMinute || m.index() > toMinute) {
            return;
        }
        TrafficGenerator.Service s = m.service(service);
        RequestFactory f = m.requests();
        int written = 0;
        for (Write w : writes()) {
            if (w.minute() != m.index()) {
                continue;
            }
            String node = service + "-" + w.node();
            long ts = m.start() + w.offsetMs() - (w.node() == 2 ? LAGGING_MS : 0);
            RequestEvent e = f.write(s, ts, 1, f.newRequestId(s), entity, Status.SUCCESS, f.latencyMs());
            m.add(TrafficGenerator.Generated.request(new RequestEvent(e.eventId(), e.timestamp(), e.service(),
                    e.layer(), node, e.destination(), "update", e.attempt(), e.requestId(), e.status(), e.latencyMs(),
                    e.timeoutMs(), null, null, null, null, Kind.WRITE, entity, null, w.clock(), e.circuitBreaker())));
            written++;
        }
        m.standIn(service, written, 0);
    }

    @Override
    public List<ExpectedEpisode> expectedEpisodes() {
        return List.of(ExpectedEpisode.of(AlertType.CONCURRENT_WRITE, "entity", entity));
    }
}
