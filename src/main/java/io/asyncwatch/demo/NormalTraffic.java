package io.asyncwatch.demo;

import io.asyncwatch.demo.TrafficGenerator.Generated;
import io.asyncwatch.demo.TrafficGenerator.Service;
import io.asyncwatch.model.Status;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The plan's services in one minute: Poisson-like volumes, a retry share (times whatever the scenarios set), and
 * for services that write, write intents reported by the service and by its database under one requestId.
 * A write never lands twice here: a retried write's first attempt timed out before reaching the database.
 */
final class NormalTraffic {

    /** After a timeout the client waits 100..300 ms before its next attempt. */
    private static final int BACKOFF_MIN_MS = 100;
    private static final int BACKOFF_SPREAD_MS = 200;
    /** Room a retried write needs before the minute ends: timeout, backoff, the database's millisecond. */
    private static final long RETRIED_WRITE_SPAN_MS =
            RequestFactory.TIMEOUT_MS + BACKOFF_MIN_MS + BACKOFF_SPREAD_MS + 2;

    private final List<Service> order;
    private final Map<String, Service> services;
    private final Random random;
    private final RequestFactory requests;

    NormalTraffic(List<Service> plan, Map<String, Service> services, Random random, RequestFactory requests) {
        this.services = services;
        this.random = random;
        this.requests = requests;
        // Databases after the services that write to them: their writes stand in for some of their own traffic.
        Set<String> written = new HashSet<>();
        plan.stream().filter(s -> s.writeShare() > 0).forEach(s -> written.add(s.destination()));
        List<Service> ordered = new ArrayList<>(plan.stream().filter(s -> !written.contains(s.name())).toList());
        ordered.addAll(plan.stream().filter(s -> written.contains(s.name())).toList());
        this.order = List.copyOf(ordered);
    }

    void minute(Minute m, Consumer<Generated> out) {
        for (Service s : order) {
            service(s, m, out);
        }
    }

    private void service(Service s, Minute m, Consumer<Generated> out) {
        double share = Math.min(0.95, s.retryShare() * m.retryFactor(s.name()));
        // Retries come on top of first attempts, so a storm also raises volume.
        double rate = s.attemptsPerMinute() * (1 + share - s.retryShare());
        long n = Math.max(0, Math.round(rate + Math.sqrt(rate) * random.nextGaussian()));
        for (long i = 0; i < n; i++) {
            long ts = m.start() + random.nextInt(60_000);
            boolean retry = random.nextDouble() < share;
            if (m.takeStandIn(s.name(), retry)) {
                continue;
            }
            if (s.writeShare() > 0 && random.nextDouble() < s.writeShare()) {
                if (retry) {
                    retriedWrite(s, ts, m, out);
                } else {
                    write(s, ts, m, out);
                }
            } else {
                out.accept(Generated.request(requests.call(s, ts, retry)));
            }
        }
    }

    /** A first attempt that writes: the service reports it, and its database too unless it failed. */
    private void write(Service s, long ts, Minute m, Consumer<Generated> out) {
        Service db = services.get(s.destination());
        String requestId = requests.newRequestId(s);
        String entity = requests.newEntity(db);
        Status status = random.nextDouble() < 0.02 ? Status.ERROR : Status.SUCCESS;
        double dbLatency = requests.latencyMs();
        long t = Math.min(ts, m.end() - 2);
        out.accept(Generated.request(requests.write(s, t, 1, requestId, entity, status,
                callerLatency(dbLatency))));
        if (status == Status.SUCCESS) {
            out.accept(Generated.request(requests.write(db, t + 1, 1, requestId, entity, Status.SUCCESS, dbLatency)));
            m.standIn(db.name(), 1, 0);
        }
    }

    /**
     * A write whose first attempt timed out before it reached the database, and whose second attempt succeeded:
     * the database reports one write. The first attempt stands in for one of the service's first attempts.
     */
    private void retriedWrite(Service s, long ts, Minute m, Consumer<Generated> out) {
        Service db = services.get(s.destination());
        String requestId = requests.newRequestId(s);
        String entity = requests.newEntity(db);
        long t1 = Math.min(ts, m.end() - RETRIED_WRITE_SPAN_MS);
        long t2 = t1 + RequestFactory.TIMEOUT_MS + BACKOFF_MIN_MS + random.nextInt(BACKOFF_SPREAD_MS);
        double dbLatency = requests.latencyMs();
        out.accept(Generated.request(requests.write(s, t1, 1, requestId, entity, Status.TIMEOUT,
                RequestFactory.TIMEOUT_MS)));
        out.accept(Generated.request(requests.write(s, t2, 2, requestId, entity, Status.SUCCESS,
                callerLatency(dbLatency))));
        out.accept(Generated.request(requests.write(db, t2 + 1, 1, requestId, entity, Status.SUCCESS, dbLatency)));
        m.standIn(s.name(), 1, 0);
        m.standIn(db.name(), 1, 0);
    }

    /** The caller waits for its database and then does some work of its own. */
    private double callerLatency(double dbLatency) {
        return Math.round((dbLatency + requests.latencyMs()) * 100) / 100.0;
    }
}
