package io.asyncwatch.demo;

import io.asyncwatch.model.CircuitBreaker;
import io.asyncwatch.model.Kind;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.Status;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;

/**
 * Synthetic request traffic for the demo, the benchmark and test fixtures: services in layers, each with its own
 * volume and normal retry share, and optional storms that multiply one service's retry share minute by minute.
 * Deterministic for a given plan (seeded {@link Random}), generated lazily minute by minute in event-time order.
 */
public final class TrafficGenerator {

    public record Service(String name, String layer, String destination, int attemptsPerMinute,
                          double retryShare) {
    }

    /** From {@code startMinute} on, the service's retry share is multiplied by each factor in turn, one per minute. */
    public record Storm(String service, int startMinute, List<Double> multipliers) {
        double multiplierAt(int minute) {
            int i = minute - startMinute;
            return i >= 0 && i < multipliers.size() ? multipliers.get(i) : 1.0;
        }
    }

    public record Plan(long startTime, int minutes, List<Service> services, List<Storm> storms, long seed) {
    }

    /** One generated record: logical topic, Kafka record timestamp, key and event. */
    public record Generated(String topic, long timestamp, String key, RequestEvent event) {
    }

    private TrafficGenerator() {
    }

    /** Three layers, an hour of normal traffic, then a storm on svc-order that escalates and dies down. */
    public static Plan demoPlan(long startTime, long seed) {
        return new Plan(startTime, 75, threeLayers(1), List.of(
                new Storm("svc-order", 62, List.of(3.0, 8.0, 15.0, 15.0, 12.0, 8.0))), seed);
    }

    /** The demo's services with volumes scaled by {@code scale}. */
    public static List<Service> threeLayers(int scale) {
        return List.of(
                new Service("api-gateway", "api-gateway", "svc-order", 600 * scale, 0.01),
                new Service("svc-order", "service", "db-orders", 300 * scale, 0.02),
                new Service("svc-user", "service", "db-users", 240 * scale, 0.02),
                new Service("svc-payment", "service", "db-orders", 120 * scale, 0.03),
                new Service("db-orders", "database", null, 500 * scale, 0.005),
                new Service("db-users", "database", null, 300 * scale, 0.005));
    }

    public static Iterator<Generated> events(Plan plan) {
        return new Iterator<>() {
            private final Random random = new Random(plan.seed());
            private final List<Generated> minute = new ArrayList<>();
            private int nextMinute;
            private int index;
            private long sequence;

            @Override
            public boolean hasNext() {
                while (index >= minute.size() && nextMinute < plan.minutes()) {
                    fill(nextMinute++);
                }
                return index < minute.size();
            }

            @Override
            public Generated next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return minute.get(index++);
            }

            private void fill(int m) {
                minute.clear();
                index = 0;
                long minuteStart = plan.startTime() + m * 60_000L;
                for (Service s : plan.services()) {
                    double multiplier = 1.0;
                    for (Storm storm : plan.storms()) {
                        if (storm.service().equals(s.name())) {
                            multiplier *= storm.multiplierAt(m);
                        }
                    }
                    double share = Math.min(0.95, s.retryShare() * multiplier);
                    // Retries come on top of first attempts, so a storm also raises volume.
                    double rate = s.attemptsPerMinute() * (1 + share - s.retryShare());
                    long n = Math.max(0, Math.round(rate + Math.sqrt(rate) * random.nextGaussian()));
                    for (long i = 0; i < n; i++) {
                        long ts = minuteStart + random.nextInt(60_000);
                        minute.add(new Generated("requests", ts, s.name(), request(s, ts, random.nextDouble() < share)));
                    }
                }
                minute.sort(Comparator.comparingLong(Generated::timestamp));
            }

            private RequestEvent request(Service s, long ts, boolean retry) {
                long id = sequence++;
                int attempt = retry ? 2 + random.nextInt(3) : 1;
                Status status;
                double latency;
                if (retry && random.nextDouble() < 0.5) {
                    status = Status.TIMEOUT;
                    latency = 1000;
                } else {
                    status = random.nextDouble() < 0.02 ? Status.ERROR : Status.SUCCESS;
                    latency = Math.round(Math.exp(2.5 + 0.8 * random.nextGaussian()) * 100) / 100.0;
                }
                return new RequestEvent(s.name() + "-" + id, ts, s.name(), s.layer(), s.name() + "-" + (id % 3),
                        s.destination(), "call", attempt, s.name() + "-req-" + (retry ? id - 1 - random.nextInt(50) : id),
                        status, latency, 1000L, null, null, null, null, Kind.CALL, null, null, null,
                        CircuitBreaker.CLOSED);
            }
        };
    }
}
