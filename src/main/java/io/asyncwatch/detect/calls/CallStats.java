package io.asyncwatch.detect.calls;

import io.asyncwatch.model.CircuitBreaker;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.Status;
import io.asyncwatch.serde.Bin;

/**
 * The attempts of one (service, destination) in one window: outcomes, configured timeouts, circuit-breaker states
 * and the latency sketch. Additive, so partial counts of several input partitions merge into the same result in
 * any order; the slowest attempt kept as evidence breaks ties by the smaller event id for the same reason.
 */
public final class CallStats {

    public long attempts;
    public long firstAttempts;
    public long success;
    public long timeouts;
    public long errors;
    /** Attempts that carried a {@code timeoutMs}, and those of them whose latency reached it. */
    public long withTimeout;
    public long aboveTimeout;
    /** Largest {@code timeoutMs} configured on these attempts, 0 when none carried one. */
    public long timeoutMsMax;
    /** Attempts with trace fields: where they exist, cascades are judged on traces, not configured timeouts. */
    public long traced;
    public long breakerClosed;
    public long breakerOpen;
    public long breakerHalfOpen;
    /** Events whose window had closed when they arrived (dead-lettered by the retry-storm stage): not counted. */
    public long late;
    public double slowestMs = -1;
    public String slowestId = "";
    public final LatencySketch latency;

    public CallStats() {
        this(new LatencySketch());
    }

    private CallStats(LatencySketch latency) {
        this.latency = latency;
    }

    public void add(RequestEvent e) {
        attempts++;
        if (!e.isRetry()) {
            firstAttempts++;
        }
        if (e.status() == Status.SUCCESS) {
            success++;
        } else if (e.status() == Status.TIMEOUT) {
            timeouts++;
        } else {
            errors++;
        }
        double ms = e.latencyMs();
        if (e.timeoutMs() != null) {
            withTimeout++;
            if (ms >= e.timeoutMs()) {
                aboveTimeout++;
            }
            timeoutMsMax = Math.max(timeoutMsMax, e.timeoutMs());
        }
        if (e.traceId() != null && e.spanId() != null) {
            traced++;
        }
        if (e.circuitBreaker() == CircuitBreaker.CLOSED) {
            breakerClosed++;
        } else if (e.circuitBreaker() == CircuitBreaker.OPEN) {
            breakerOpen++;
        } else if (e.circuitBreaker() == CircuitBreaker.HALF_OPEN) {
            breakerHalfOpen++;
        }
        latency.add(ms);
        slowest(ms, e.eventId());
    }

    public void merge(CallStats o) {
        attempts += o.attempts;
        firstAttempts += o.firstAttempts;
        success += o.success;
        timeouts += o.timeouts;
        errors += o.errors;
        withTimeout += o.withTimeout;
        aboveTimeout += o.aboveTimeout;
        timeoutMsMax = Math.max(timeoutMsMax, o.timeoutMsMax);
        traced += o.traced;
        breakerClosed += o.breakerClosed;
        breakerOpen += o.breakerOpen;
        breakerHalfOpen += o.breakerHalfOpen;
        late += o.late;
        latency.merge(o.latency);
        if (o.slowestMs >= 0) {
            slowest(o.slowestMs, o.slowestId);
        }
    }

    private void slowest(double ms, String id) {
        if (ms > slowestMs || ms == slowestMs && id.compareTo(slowestId) < 0) {
            slowestMs = ms;
            slowestId = id;
        }
    }

    void write(Bin.Writer w) {
        w.varlong(attempts).varlong(firstAttempts).varlong(success).varlong(timeouts).varlong(errors)
                .varlong(withTimeout).varlong(aboveTimeout).varlong(timeoutMsMax).varlong(traced)
                .varlong(breakerClosed).varlong(breakerOpen).varlong(breakerHalfOpen).varlong(late)
                .f64(slowestMs).str(slowestId).bytes(latency.toBytes());
    }

    static CallStats read(Bin.Reader r) {
        long[] n = new long[13];
        for (int i = 0; i < n.length; i++) {
            n[i] = r.varlong();
        }
        double slowestMs = r.f64();
        String slowestId = r.str();
        CallStats s = new CallStats(LatencySketch.fromBytes(r.bytes()));
        s.attempts = n[0];
        s.firstAttempts = n[1];
        s.success = n[2];
        s.timeouts = n[3];
        s.errors = n[4];
        s.withTimeout = n[5];
        s.aboveTimeout = n[6];
        s.timeoutMsMax = n[7];
        s.traced = n[8];
        s.breakerClosed = n[9];
        s.breakerOpen = n[10];
        s.breakerHalfOpen = n[11];
        s.late = n[12];
        s.slowestMs = slowestMs;
        s.slowestId = slowestId;
        return s;
    }
}
