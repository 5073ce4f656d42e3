package io.asyncwatch.demo;

import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.RequestEvent;
import java.util.List;
import java.util.Map;

/**
 * The seeds' time travel bug: in minutes {@code fromMinute..toMinute} (inclusive) {@code consumer} handles messages
 * that {@code producer} sends, every {@code everyMs}, each event naming its cause ({@code causedBy}) and carrying
 * Lamport clocks in order; but the consumer's node {@code skewedNode} runs {@code behindMs} behind, so its events are
 * stamped before the events that caused them. Both events stand in for normal first attempts, so volumes do not
 * change.
 */
public record TimeTravel(String producer, String consumer, String skewedNode, int fromMinute, int toMinute,
                         long everyMs, long behindMs) implements Scenario {

    public TimeTravel {
        if (fromMinute > toMinute || everyMs <= 0 || behindMs <= 0) {
            throw new IllegalArgumentException("time travel needs fromMinute <= toMinute and positive intervals");
        }
    }

    @Override
    public void minute(Minute m) {
        if (m.index() < fromMinute || m.index() > toMinute) {
            return;
        }
        TrafficGenerator.Service from = m.service(producer);
        TrafficGenerator.Service to = m.service(consumer);
        RequestFactory f = m.requests();
        long lamport = 1_000L * m.index();
        int pairs = 0;
        for (long t = m.start() + everyMs / 2; t < m.end(); t += everyMs) {
            RequestEvent cause = f.call(from, t, false);
            cause = withClocks(cause, cause.node(), cause.timestamp(), null, ++lamport);
            RequestEvent effect = f.call(to, t + 15, false);
            // Handled 15 ms after its cause, stamped by a clock that is behindMs slow.
            effect = withClocks(effect, skewedNode, t + 15 - behindMs, List.of(cause.eventId()), ++lamport);
            m.add(TrafficGenerator.Generated.request(cause));
            m.add(TrafficGenerator.Generated.request(effect));
            pairs++;
        }
        m.standIn(producer, pairs, 0);
        m.standIn(consumer, pairs, 0);
    }

    private static RequestEvent withClocks(RequestEvent e, String node, long timestamp, List<String> causedBy,
                                           long lamport) {
        return new RequestEvent(e.eventId(), timestamp, e.service(), e.layer(), node, e.destination(), e.operation(),
                e.attempt(), e.requestId(), e.status(), e.latencyMs(), e.timeoutMs(), e.traceId(), e.spanId(),
                e.parentSpanId(), causedBy, e.kind(), e.entity(), lamport, e.vectorClock(), e.circuitBreaker());
    }

    @Override
    public List<ExpectedEpisode> expectedEpisodes() {
        return List.of(new ExpectedEpisode(AlertType.CAUSALITY_VIOLATION, Map.of("node", skewedNode)));
    }
}
