package io.asyncwatch.demo;

import io.asyncwatch.demo.TrafficGenerator.Service;
import io.asyncwatch.model.CircuitBreaker;
import io.asyncwatch.model.Kind;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.Status;
import java.util.Random;

/**
 * Request events as the generated services send them, for normal traffic and scenarios alike: event ids unique in
 * the plan, three nodes per service, lognormal latencies (median about 12 ms), a 1 s timeout.
 */
public final class RequestFactory {

    /** Every generated call's timeout; a TIMEOUT attempt reports exactly this latency. */
    public static final long TIMEOUT_MS = 1000;

    private final Random random;
    private long sequence;
    private long intents;

    RequestFactory(Random random) {
        this.random = random;
    }

    /**
     * A call attempt: a first attempt, or a retry (attempt 2..4, half of them timing out) of some recent intent.
     * About 2 % of the attempts that do not time out fail with ERROR.
     */
    public RequestEvent call(Service s, long timestamp, boolean retry) {
        long id = sequence++;
        int attempt = retry ? 2 + random.nextInt(3) : 1;
        Status status;
        double latency;
        if (retry && random.nextDouble() < 0.5) {
            status = Status.TIMEOUT;
            latency = TIMEOUT_MS;
        } else {
            status = random.nextDouble() < 0.02 ? Status.ERROR : Status.SUCCESS;
            latency = latencyMs();
        }
        String requestId = s.name() + "-req-" + (retry ? id - 1 - random.nextInt(50) : id);
        return new RequestEvent(s.name() + "-" + id, timestamp, s.name(), s.layer(), node(s, id), s.destination(),
                "call", attempt, requestId, status, latency, TIMEOUT_MS, null, null, null, null, Kind.CALL, null,
                null, null, CircuitBreaker.CLOSED);
    }

    /** An attempt of {@code s} on a trace (the death spiral's chains). */
    public RequestEvent traced(Service s, String destination, long timestamp, int attempt, Status status,
                               double latencyMs, String traceId, String spanId, String parentSpanId,
                               CircuitBreaker breaker) {
        long id = sequence++;
        return new RequestEvent(s.name() + "-" + id, timestamp, s.name(), s.layer(), node(s, id), destination,
                "call", attempt, s.name() + "-req-" + id, status, latencyMs, TIMEOUT_MS, traceId, spanId,
                parentSpanId, null, Kind.CALL, null, null, null, breaker);
    }

    /** One attempt of {@code s} to write {@code entity} for the intent {@code requestId}. */
    public RequestEvent write(Service s, long timestamp, int attempt, String requestId, String entity, Status status,
                              double latencyMs) {
        long id = sequence++;
        return new RequestEvent(s.name() + "-" + id, timestamp, s.name(), s.layer(), node(s, id), s.destination(),
                "write", attempt, requestId, status, latencyMs, TIMEOUT_MS, null, null, null, null, Kind.WRITE, entity,
                null, null, s.destination() == null ? null : CircuitBreaker.CLOSED);
    }

    /** The idempotency key of a new write intent of {@code s}: the same for all its attempts and layers. */
    public String newRequestId(Service s) {
        return s.name() + "-write-" + intents++;
    }

    /** A random entity of the database: {@code Order[4711]} for db-orders, {@code User[17]} for db-users. */
    public String newEntity(Service database) {
        String name = database.name().startsWith("db-") ? database.name().substring(3) : database.name();
        if (name.endsWith("s") && name.length() > 1) {
            name = name.substring(0, name.length() - 1);
        }
        // A large id space: unrelated intents rarely write one entity, so normal traffic has no possible conflicts.
        return Character.toUpperCase(name.charAt(0)) + name.substring(1) + "[" + random.nextInt(10_000_000) + "]";
    }

    /** A successful call's duration: lognormal, median about 12 ms, rounded to 0.01 ms. */
    public double latencyMs() {
        return Math.round(Math.exp(2.5 + 0.8 * random.nextGaussian()) * 100) / 100.0;
    }

    private static String node(Service s, long id) {
        return s.name() + "-" + (id % 3);
    }
}
