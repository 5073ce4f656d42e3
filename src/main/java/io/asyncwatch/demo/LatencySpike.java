package io.asyncwatch.demo;

import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.RequestEvent;
import java.util.List;

/**
 * A latency tail: in minutes {@code fromMinute..toMinute} (inclusive) a share {@code share} of the service's calls
 * succeed only after {@code latencyMs} (a slow dependency, still under the timeout). Volumes do not change.
 */
public record LatencySpike(String service, int fromMinute, int toMinute, double share, double latencyMs)
        implements Scenario {

    public LatencySpike {
        if (fromMinute > toMinute || share <= 0 || share > 1 || latencyMs <= 0) {
            throw new IllegalArgumentException("a latency spike needs fromMinute <= toMinute, share in (0, 1] and"
                    + " a positive latency");
        }
    }

    @Override
    public void minute(Minute m) {
        if (m.index() < fromMinute || m.index() > toMinute) {
            return;
        }
        m.service(service);
        m.rewrite(g -> {
            if (g.event() instanceof RequestEvent e && e.service().equals(service)
                    && m.random().nextDouble() < share) {
                return TrafficGenerator.Generated.request(new RequestEvent(e.eventId(), e.timestamp(), e.service(),
                        e.layer(), e.node(), e.destination(), e.operation(), e.attempt(), e.requestId(), e.status(),
                        latencyMs, e.timeoutMs(), e.traceId(), e.spanId(), e.parentSpanId(), e.causedBy(), e.kind(),
                        e.entity(), e.lamport(), e.vectorClock(), e.circuitBreaker()));
            }
            return g;
        });
    }

    @Override
    public List<ExpectedEpisode> expectedEpisodes() {
        return List.of(ExpectedEpisode.of(AlertType.LATENCY_TAIL, "service", service));
    }
}
