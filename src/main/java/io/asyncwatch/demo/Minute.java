package io.asyncwatch.demo;

import io.asyncwatch.demo.TrafficGenerator.Generated;
import io.asyncwatch.demo.TrafficGenerator.Service;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * One minute of a plan as the {@link Scenario}s see it before its normal traffic is generated: the knobs they may
 * turn, and the events they add. A new one for every minute, so nothing a scenario does outlives its minute.
 */
public final class Minute {

    private final int index;
    private final long start;
    private final Random random;
    private final RequestFactory requests;
    private final Map<String, Service> services;
    private final Map<String, Double> retryFactors = new HashMap<>();
    private final Map<String, int[]> standIns = new HashMap<>();
    private final List<Generated> added = new ArrayList<>();
    private final List<UnaryOperator<Generated>> rewrites = new ArrayList<>();

    Minute(int index, long start, Random random, RequestFactory requests, Map<String, Service> services) {
        this.index = index;
        this.start = start;
        this.random = random;
        this.requests = requests;
        this.services = services;
    }

    /** Minutes since the plan's start, from 0. */
    public int index() {
        return index;
    }

    /** Epoch ms of the minute's first millisecond. */
    public long start() {
        return start;
    }

    /** Epoch ms just after the minute. */
    public long end() {
        return start + 60_000L;
    }

    /** The plan's one source of randomness: draw from it and only from it, so the plan stays deterministic. */
    public Random random() {
        return random;
    }

    /** Builds request events the way normal traffic does (unique ids, nodes, latencies, writes). */
    public RequestFactory requests() {
        return requests;
    }

    /** A service of the plan. */
    public Service service(String name) {
        Service s = services.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no service '" + name + "' in the plan " + services.keySet());
        }
        return s;
    }

    /** Multiplies the service's retry share this minute; retries come on top of its first attempts. */
    public void multiplyRetryShare(String service, double factor) {
        service(service);
        retryFactors.merge(service, factor, (a, b) -> a * b);
    }

    /**
     * Says that events added this minute stand in for {@code firstAttempts} first attempts and {@code retries}
     * retries of the service's normal traffic, which generates that many fewer, so the service's volume and retry
     * share stay what the plan says. (Normal traffic uses it too: a database's writes replace some of its calls.)
     */
    public void standIn(String service, int firstAttempts, int retries) {
        service(service);
        int[] n = standIns.computeIfAbsent(service, k -> new int[2]);
        n[0] += firstAttempts;
        n[1] += retries;
    }

    /** Adds an event; it is sorted in with the minute's normal traffic. */
    public void add(Generated event) {
        added.add(event);
    }

    /**
     * Changes each normal event of this minute (requests, heartbeats, clock readings) once it is generated;
     * returning {@code null} drops it. Events added by scenarios are not rewritten.
     */
    public void rewrite(UnaryOperator<Generated> change) {
        rewrites.add(change);
    }

    double retryFactor(String service) {
        return retryFactors.getOrDefault(service, 1.0);
    }

    /** True (and one fewer owed) if an added event stands in for this normal attempt of the service. */
    boolean takeStandIn(String service, boolean retry) {
        int[] n = standIns.get(service);
        int i = retry ? 1 : 0;
        if (n == null || n[i] == 0) {
            return false;
        }
        n[i]--;
        return true;
    }

    List<Generated> added() {
        return added;
    }

    /** The normal event after every rewrite, or {@code null} if one dropped it. */
    Generated rewritten(Generated event) {
        Generated g = event;
        for (UnaryOperator<Generated> r : rewrites) {
            if (g == null) {
                return null;
            }
            g = r.apply(g);
        }
        return g;
    }
}
