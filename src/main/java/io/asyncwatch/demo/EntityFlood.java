package io.asyncwatch.demo;

import io.asyncwatch.model.Kind;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.Status;
import java.util.List;
import java.util.Map;

/**
 * For the benchmark ({@code bench --entities N}): in minute {@code minute}, {@code entities} distinct entities
 * ({@code Item[0]} ...) each written once by one of {@code service}'s three nodes, with that node's vector clock,
 * spread evenly over the minute: N entities within the concurrent-write horizon at once. No conflicts: every entity
 * has one writer. These events are added to the normal traffic, not standing in for it.
 */
public record EntityFlood(String service, int minute, int entities) implements Scenario {

    public EntityFlood {
        if (entities < 1) {
            throw new IllegalArgumentException("entities must be at least 1, got " + entities);
        }
    }

    @Override
    public void minute(Minute m) {
        if (m.index() != minute) {
            return;
        }
        TrafficGenerator.Service s = m.service(service);
        RequestFactory f = m.requests();
        for (int i = 0; i < entities; i++) {
            int n = i % 3;
            String node = service + "-" + n;
            long ts = m.start() + (long) i * 60_000 / entities;
            RequestEvent e = f.write(s, ts, 1, f.newRequestId(s), "Item[" + i + "]", Status.SUCCESS, 5.0);
            m.add(TrafficGenerator.Generated.request(new RequestEvent(e.eventId(), ts, e.service(), e.layer(), node,
                    e.destination(), "update", 1, e.requestId(), e.status(), e.latencyMs(), e.timeoutMs(), null,
                    null, null, null, Kind.WRITE, "Item[" + i + "]", null, Map.of(node, (long) (i / 3 + 1)),
                    e.circuitBreaker())));
        }
    }

    @Override
    public List<ExpectedEpisode> expectedEpisodes() {
        return List.of();
    }
}
