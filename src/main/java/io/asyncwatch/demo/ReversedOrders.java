package io.asyncwatch.demo;

import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Kind;
import io.asyncwatch.model.RequestEvent;
import java.util.List;
import java.util.Map;

/**
 * The seeds' {@code Order[42]->Pay / Pay[42]->Order: REVERSED!}: in minutes {@code fromMinute..toMinute} (inclusive)
 * {@code orders} writes an order every {@code everyMs} and {@code payments} pays it 30 ms later, on node
 * {@code skewedNode}, whose clock runs {@code behindMs} behind: the payment is stamped before the order it pays. No
 * logical clocks and no causedBy, so only the business order (judged by timestamps) tells. Both events stand in for
 * normal first attempts, so volumes do not change.
 */
public record ReversedOrders(String orders, String payments, String skewedNode, int fromMinute, int toMinute,
                             long everyMs, long behindMs) implements Scenario {

    public ReversedOrders {
        if (fromMinute > toMinute || everyMs <= 0 || behindMs <= 30) {
            throw new IllegalArgumentException("reversed orders need fromMinute <= toMinute, a positive interval and"
                    + " a clock more than 30 ms behind");
        }
    }

    @Override
    public void minute(Minute m) {
        if (m.index() < fromMinute || m.index() > toMinute) {
            return;
        }
        TrafficGenerator.Service from = m.service(orders);
        TrafficGenerator.Service to = m.service(payments);
        RequestFactory f = m.requests();
        int pairs = 0;
        for (long t = m.start() + everyMs / 3; t < m.end(); t += everyMs) {
            String entity = "Order[" + (900_000 + m.index() * 1_000 + pairs) + "]";
            RequestEvent order = as(f.call(from, t, false), from.name() + "-1", t, "order", entity);
            RequestEvent pay = as(f.call(to, t + 30, false), skewedNode, t + 30 - behindMs, "pay", entity);
            m.add(TrafficGenerator.Generated.request(order));
            m.add(TrafficGenerator.Generated.request(pay));
            pairs++;
        }
        m.standIn(orders, pairs, 0);
        m.standIn(payments, pairs, 0);
    }

    private static RequestEvent as(RequestEvent e, String node, long timestamp, String operation, String entity) {
        return new RequestEvent(e.eventId(), timestamp, e.service(), e.layer(), node, e.destination(), operation,
                e.attempt(), e.requestId(), e.status(), e.latencyMs(), e.timeoutMs(), null, null, null, null,
                Kind.WRITE, entity, null, null, e.circuitBreaker());
    }

    @Override
    public List<ExpectedEpisode> expectedEpisodes() {
        // Two nodes writing each order within the same second, without vector clocks: a possible concurrent write.
        return List.of(new ExpectedEpisode(AlertType.CAUSALITY_VIOLATION, Map.of("order", "order>pay")),
                new ExpectedEpisode(AlertType.CONCURRENT_WRITE, Map.of("entityType", "Order", "basis", "same-second")));
    }
}
