package io.asyncwatch.demo;

import io.asyncwatch.demo.TrafficGenerator.Generated;
import io.asyncwatch.demo.TrafficGenerator.Service;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.CircuitBreaker;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.Status;
import java.util.List;
import java.util.Map;

/**
 * The seeds' death spiral: in minutes {@code fromMinute..toMinute} (inclusive) every user intent entering
 * {@code gateway} is tried {@code tries} times, each of those attempts makes {@code service} try {@code tries} times,
 * and each of those makes {@code database} try {@code tries} times: 3x, 9x, 27x with three tries. Every attempt but
 * the last times out after the 1 s timeout; circuit breakers stay CLOSED. The chains carry traces, on which each
 * caller gives up at 1 s while its callee's sequential retries need 3 s: a cascade. The spiral's intents stand in
 * for the gateway's normal first attempts, so the number of user intents does not change.
 */
public record DeathSpiral(String gateway, String service, String database, int fromMinute, int toMinute, int tries)
        implements Scenario {

    public DeathSpiral {
        if (fromMinute > toMinute || tries < 2) {
            throw new IllegalArgumentException("a death spiral needs fromMinute <= toMinute and at least 2 tries");
        }
    }

    @Override
    public void minute(Minute m) {
        if (m.index() < fromMinute || m.index() > toMinute) {
            return;
        }
        Service gw = m.service(gateway);
        Service svc = m.service(service);
        Service db = m.service(database);
        int intents = (int) Math.round(gw.attemptsPerMinute() * (1 - gw.retryShare()));
        long span = tries * RequestFactory.TIMEOUT_MS;
        for (int i = 0; i < intents; i++) {
            String trace = "spiral-" + m.index() + "-" + i;
            long t = m.start() + m.random().nextInt((int) (60_000 - span * tries * tries / 4));
            int[] spans = {0};
            chain(m, gw, trace, null, t, 0, List.of(svc, db), spans);
        }
        m.standIn(gateway, intents, 0);
    }

    /** {@code tries} attempts of {@code caller}, all but the last (which succeeds) timing out, and the layers below. */
    private void chain(Minute m, Service caller, String trace, String parent, long start, int depth,
                       List<Service> below, int[] spans) {
        RequestFactory f = m.requests();
        long t = start;
        for (int a = 1; a <= tries; a++) {
            boolean last = a == tries;
            String spanId = Integer.toString(spans[0]++);
            double latency = last ? f.latencyMs() : RequestFactory.TIMEOUT_MS;
            String callee = below.isEmpty() ? null : below.get(0).name();
            RequestEvent e = f.traced(caller, callee, t, a, last ? Status.SUCCESS : Status.TIMEOUT, latency, trace,
                    spanId, parent, CircuitBreaker.CLOSED);
            m.add(Generated.request(e));
            if (!below.isEmpty()) {
                chain(m, below.get(0), trace, spanId, t + 1, depth + 1, below.subList(1, below.size()), spans);
            }
            t += (long) latency + 1;
        }
    }

    @Override
    public List<ExpectedEpisode> expectedEpisodes() {
        return List.of(new ExpectedEpisode(AlertType.LAYER_AMPLIFICATION, Map.of("entry", "api-gateway")),
                ExpectedEpisode.of(AlertType.CASCADE_TIMEOUT, "service", gateway));
    }
}
